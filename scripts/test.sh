#!/usr/bin/env bash
# Set up (see setup.sh) and run the whole test suite, OCR and LibreOffice tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
exec .venv/bin/python -m pytest -q "$@"
