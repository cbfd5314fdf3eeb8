#!/usr/bin/env bash
# Set up policyparse on a fresh Debian/Ubuntu machine: system packages, a virtual
# environment in .venv, the package with its OCR extra (and test tools with --dev).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
# LibreOffice reads legacy .doc/.wps notices; nothing else needs a system package.
if ! command -v soffice >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libreoffice-writer-nogui >/dev/null
fi
# --dev: the review page is tested in headless Chromium, and the notebook's (and the page's)
# Chinese labels need a CJK font; Debian's packages, nothing downloaded by the tests themselves
if [ "${1:-}" = "--dev" ]; then
  need=""
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need="$need chromium"
  fc-list 2>/dev/null | grep -qiE "WenQuanYi|Noto Sans CJK|Source Han Sans" || need="$need fonts-wqy-microhei"
  if [ -n "$need" ]; then
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
  fi
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -e ".[dev]"
else
  .venv/bin/python -m pip install -q -e ".[ocr]"
fi
# strace: tests/test_no_network.py traces every process of a run for network system
# calls (native code such as onnxruntime's telemetry is invisible to Python)
if [ "${1:-}" = "--dev" ] && ! command -v strace >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends strace >/dev/null
fi
