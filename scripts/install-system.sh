#!/usr/bin/env bash
# Installs the system packages the tests need; idempotent: packages already installed
# are skipped, so `make test` runs it every time at no cost. Needs root (CI runs as
# root); without root and with packages missing it says what to install and stops.
set -euo pipefail
PACKAGES=(
    tesseract-ocr      # OCR of scanned PDFs (pipeline/ocr.py)
    tesseract-ocr-eng  # its English model
)
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
    echo "install-system: no apt-get; install ${missing[*]} by hand" >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
