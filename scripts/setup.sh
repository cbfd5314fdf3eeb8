#!/usr/bin/env bash
# Set up policyparse on a fresh Debian/Ubuntu machine: system packages, a virtual
# environment in .venv, the package with its OCR extra (and test tools with --dev).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
DEV=""
[ "${1:-}" = "--dev" ] && DEV=1

# System packages, gathered so that apt runs once:
need=""
# - LibreOffice reads legacy .doc/.wps notices;
command -v soffice >/dev/null 2>&1 || need="$need libreoffice-writer-nogui"
# - its UNO bridge for the system Python (python3-uno): each worker keeps one office running
#   and converts .doc through it (ingest/doc.py), instead of a start per file;
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need="$need python3-uno"
if [ -n "$DEV" ]; then
  # - the review page is tested in headless Chromium, and the notebook's (and the page's)
  #   Chinese labels need a CJK font; nothing is downloaded by the tests themselves;
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need="$need chromium"
  fc-list 2>/dev/null | grep -qiE "WenQuanYi|Noto Sans CJK|Source Han Sans" || need="$need fonts-wqy-microhei"
  # - strace: tests/test_no_network.py traces every process of a run for network system
  #   calls (native code such as onnxruntime's telemetry is invisible to Python).
  command -v strace >/dev/null 2>&1 || need="$need strace"
fi
if [ -n "$need" ] && command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ -n "$DEV" ]; then
  .venv/bin/python -m pip install -q -e ".[dev]"
else
  .venv/bin/python -m pip install -q -e ".[ocr]"
fi
