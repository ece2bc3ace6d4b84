#!/usr/bin/env bash
# System packages the tests need, from Debian's archive; `make test` runs this.
# Idempotent: installs only what is missing, and does nothing when all is there.
# Without root (or apt-get) it says what is missing and the tests that need those
# packages are skipped.
set -euo pipefail
PACKAGES=(
    chromium           # headless browser of the HTML report tests
    chromium-driver    # Selenium drives it through this
    tesseract-ocr      # OCR of scanned PDFs (pipeline/ocr.py)
    tesseract-ocr-eng  # its English model
)
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "install-system: missing ${missing[*]}; install them as root with apt-get" \
        "(the tests that need them are skipped)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
