#!/bin/sh
# deps.sh - make sure the build and run dependencies are installed.
# Installs the missing Debian packages with apt-get when running as root (or
# through sudo without a password); otherwise prints the exact command and
# fails.  Called by `make run`, `make test` and `make bench`.
set -u
pkgs="libgsl-dev libcsv-dev libcairo2-dev libpango1.0-dev check pkg-config fonts-dejavu-core"
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "natcap: missing packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing && exit 0
fi
echo "natcap: install them with:" >&2
echo "    sudo apt-get install -y$missing" >&2
exit 1
