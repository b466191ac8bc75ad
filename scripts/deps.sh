#!/bin/sh
# deps.sh [test] [slurm] - make sure the build and run dependencies are installed.
# With "test", also what `make test` runs besides natcap (tests/tools.sh
# then checks the flavour of each tool by its version); with "slurm", the
# Slurm daemons, clients and MUNGE for `make test-slurm` (tests/slurm.sh).
# Installs the missing Debian packages with apt-get (for "slurm" without
# recommends: slurm-wlm's pull in some 30 more) when running as root (or through sudo without a password); otherwise
# prints the exact command and fails.  Called by `make run` and `make bench`
# (no argument), `make test` (test) and `make test-slurm` (test slurm).
set -u
pkgs="libgsl-dev libcsv-dev libcairo2-dev libpango1.0-dev libglib2.0-dev libjansson-dev check pkg-config fonts-dejavu-core"
# Test only: GNU parallel (its preinst diverts moreutils' /usr/bin/parallel
# to /usr/bin/parallel.moreutils, before or after moreutils is installed),
# xargs, cmp/diff, awk, mount (tmpfs for the full-disk tests), mandoc (man page lint), python3-yaml
# and python3-kubernetes (the Kubernetes manifests check: YAML, API types).  Most are in every Debian install; they
# are listed so that a minimal image gets them too.  The alert tests
# (tests/e2e_alerts.sh) run promtool (Debian prometheus) and botocore.
test_pkgs="parallel findutils diffutils coreutils mawk mount python3 python3-yaml python3-kubernetes mandoc prometheus python3-botocore"
# Slurm's daemons and clients (slurm-wlm: slurmctld, slurmd, slurm-client) and munge
slurm_pkgs="slurm-wlm munge"
opts=""
for a in "$@"; do
    case $a in
    test) pkgs="$pkgs $test_pkgs" ;;
    slurm) pkgs="$pkgs $slurm_pkgs" opts=--no-install-recommends ;;
    *) echo "deps.sh: unknown set $a" >&2; exit 2 ;;
    esac
done
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "natcap: missing packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $opts $missing && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $opts $missing && exit 0
fi
echo "natcap: install them with:" >&2
echo "    sudo apt-get install -y $opts$missing" >&2
exit 1
