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
# LibreOffice's UNO bridge for the system Python (python3-uno): each worker keeps one
# office running and converts .doc through it (ingest/doc.py), instead of a start per file.
if ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1 && command -v apt-get >/dev/null; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3-uno >/dev/null
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -e ".[dev]"
else
  .venv/bin/python -m pip install -q -e ".[ocr]"
fi
