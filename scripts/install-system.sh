#!/usr/bin/env bash
# System packages the tests need, from Debian's archive; `make test` runs this.
# Idempotent: installs only what is missing, and does nothing when all is there.
# Add a package by appending it to PACKAGES.
#   chromium, chromium-driver: the headless browser of the HTML report tests
set -euo pipefail
PACKAGES="chromium chromium-driver"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "install-system: missing$missing; install them as root with apt-get" \
        "(the tests that need them are skipped)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086  # one word per package
apt-get install -y -qq --no-install-recommends $missing >/dev/null
