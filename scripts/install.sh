#!/usr/bin/env bash
# Creates the virtual environment and installs the project with its test tools.
# torch goes in first, pinned to the CPU build this machine holds, so that no
# dependency pulls a multi-GB CUDA build.
set -euo pipefail
VENV=${VENV:-.venv}
PY=${PY:-python3}
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
"$VENV/bin/python" -m pip install --quiet "torch==2.13.0"
"$VENV/bin/python" -m pip install --quiet -e ".[dev]"
