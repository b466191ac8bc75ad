#!/bin/sh
# deps.sh [test] - make sure the build and run dependencies are installed.
# With "test", also what `make test` runs besides natcap (tests/tools.sh
# then checks the flavour of each tool by its version).  Installs the
# missing Debian packages with apt-get when running as root (or through sudo
# without a password); otherwise prints the exact command and fails.  Called
# by `make run` and `make bench` (no argument) and `make test` (test).
set -u
pkgs="libgsl-dev libcsv-dev libcairo2-dev libpango1.0-dev libjansson-dev check pkg-config fonts-dejavu-core"
# Test only: GNU parallel (its preinst diverts moreutils' /usr/bin/parallel
# to /usr/bin/parallel.moreutils, before or after moreutils is installed),
# xargs, cmp/diff, awk, mount (tmpfs for the full-disk tests), python3-yaml
# (the Kubernetes manifests check).  Most are in every Debian install; they
# are listed so that a minimal image gets them too.
test_pkgs="parallel findutils diffutils coreutils mawk mount python3 python3-yaml"
[ "${1:-}" = test ] && pkgs="$pkgs $test_pkgs"
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
