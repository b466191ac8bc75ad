#!/bin/sh
# bench.sh - `make bench`: speed and memory of the model (issue 6).
# For each model: requests simulated, wall and CPU seconds and ns per request
# (CPU time / requests) with -j1 (2 replications, one core), wall with -j2 and the speed-up, peak
# RSS.  natcap prints these with NATCAP_STATS=1 right after the simulation,
# before any output is written.  Compare ratios within one run: the machine
# is shared and absolute times vary.
set -u
NATCAP=${NATCAP:-./natcap}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$2"; }
printf '%-34s %12s %8s %8s %9s %8s %8s %9s\n' model requests wall1_s cpu1_s ns/req wall2_s speedup rss_MB
run() {
    name=$1; shift
    NATCAP_STATS=1 "$NATCAP" run -q -o "$out/1" -j1 "$@" 2>"$out/s1" >/dev/null || { echo "$name: natcap failed"; cat "$out/s1"; return; }
    NATCAP_STATS=1 "$NATCAP" run -q -o "$out/2" -j2 "$@" 2>"$out/s2" >/dev/null || { echo "$name: natcap failed"; return; }
    req=$(field requests "$out/s1"); w1=$(field wall_s "$out/s1"); c1=$(field cpu_s "$out/s1")
    w2=$(field wall_s "$out/s2"); rss=$(field maxrss_kb "$out/s1")
    awk -v n="$name" -v r="$req" -v w1="$w1" -v c1="$c1" -v w2="$w2" -v rss="$rss" 'BEGIN {
        printf "%-34s %12d %8.2f %8.2f %9.1f %8.2f %7.2fx %9.1f\n", n, r, w1, c1, 1e9 * c1 / r, w2, w1 / w2, rss / 1024 }'
}
run "(a) unpooled, global, ~60k in use" -i tests/bench/a
run "(b) (a) with per-instance pooling" -i tests/bench/b
run "(c) 50 dest. pools, exhausted" -i tests/bench/c
[ -d inputs ] && run "(d) default inputs, baseline" -i inputs -s baseline -r 2
run "(e) 16 IPs, ~1,000,000 in use" -i tests/bench/e
