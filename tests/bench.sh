#!/bin/sh
# bench.sh - `make bench`: speed and memory of the model, and of natcap plan.
# For each model: requests simulated (warm-up included), SYNs sent per
# measured request, wall and CPU seconds and ns per request (CPU time /
# requests simulated) with -j1 (2 replications, one core), wall with -j2 and
# the speed-up, peak RSS, and the issue's goal.  natcap prints these with
# NATCAP_STATS=1 right after the simulation, before any output is written.
# The first line is the machine's yardstick (tests/bench/calib.c): GSL's
# exponential + lognormal draws for one request, 25-30 ns where the goals
# were set.  Compare ratios within one run: the machine is shared and
# absolute times vary.
set -u
NATCAP=${NATCAP:-./natcap}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
field() { sed -n "s/.*[ :]$1=\([0-9.]*\).*/\1/p" "$2"; }
[ -n "${CALIB:-}" ] && [ -x "$CALIB" ] &&
    printf 'yardstick: GSL exponential + lognormal draws of one request: %s ns (25-30 ns where the goals were set)\n\n' "$("$CALIB")"
printf '%-34s %11s %7s %7s %7s %7s %7s %8s %7s %6s\n' model requests SYN/req wall1_s cpu1_s ns/req wall2_s speedup rss_MB goal
run() {
    name=$1; goal=$2; shift 2
    NATCAP_STATS=1 "$NATCAP" run -q -o "$out/1" -j1 "$@" 2>"$out/s1" >/dev/null || { echo "$name: natcap failed"; cat "$out/s1"; return; }
    NATCAP_STATS=1 "$NATCAP" run -q -o "$out/2" -j2 "$@" 2>"$out/s2" >/dev/null || { echo "$name: natcap failed"; return; }
    req=$(field requests "$out/s1"); sim=$(field simulated "$out/s1"); att=$(field attempts "$out/s1")
    w1=$(field wall_s "$out/s1"); c1=$(field cpu_s "$out/s1")
    w2=$(field wall_s "$out/s2"); rss=$(field maxrss_kb "$out/s1")
    awk -v n="$name" -v g="$goal" -v r="$req" -v sim="$sim" -v a="$att" -v w1="$w1" -v c1="$c1" \
        -v w2="$w2" -v rss="$rss" 'BEGIN {
        printf "%-34s %11d %7.2f %7.2f %7.2f %7.1f %7.2f %7.2fx %7.1f %6s\n", n, sim, a / r, w1, c1,
            1e9 * c1 / sim, w2, w1 / w2, rss / 1024, g }'
}
run "(a) unpooled, global, ~60k in use" "<=80" -i tests/bench/a
# (a) searching for ports as Linux does: what port_selection linux_probe
# costs over the counter model (at ~93 % full the search also refuses some)
mkdir "$out/a-probe" && cp tests/bench/a/*.csv "$out/a-probe/" &&
    sed -i '/^#/!{/^gateway,/s/$/,port_selection/;/^gateway,/!s/$/,linux_probe/}' "$out/a-probe/gateways.csv"
run "(a') (a) with linux_probe" "-" -i "$out/a-probe"
run "(b) (a) with per-instance pooling" "<=150" -i tests/bench/b
run "(c) 50 dest. pools, exhausted peak" "<=150" -i tests/bench/c
run "(c') (c) exhausted all the hour" "-" -i tests/bench/c-stress
[ -d inputs ] && run "(d) default inputs, baseline" "-" -i inputs -s baseline -r 2
run "(e) 16 IPs, ~1,000,000 in use" "-" -i tests/bench/e
echo
echo "goals: ns/req as above; speedup >= 1.7x; rss <= 100 MB for (a), <= 512 MB for (e)"
# natcap estimate (analytic, no simulation): goal < 1 s on the default inputs.
# Wall and CPU (user + sys) seconds from /usr/bin/time.
est() {
    name=$1; shift
    /usr/bin/time -f "%e %U %S" -o "$out/est.time" "$NATCAP" estimate -q -o "$out/est" "$@" \
        >/dev/null 2>"$out/est.err" || { echo "$name: natcap failed"; cat "$out/est.err"; return; }
    awk -v n="$name" '{ printf "estimate %-34s wall %6.3f s  cpu %6.3f s  goal < 1 s\n", n, $1, $2 + $3 }' \
        "$out/est.time"
}
echo
[ -d inputs ] && est "default inputs, 6 scenarios" -i inputs
est "(c) 50 destination pools" -i tests/bench/c
est "(e) 16 IPs, 1,000,000 in use" -i tests/bench/e

# natcap plan: wall and CPU seconds (user + sys of the natcap process, from
# the shell's `times`), simulations, replications and points decided
# analytically; -j2.  Goals: <= 60 s wall on the default inputs (6
# scenarios, 5 replications each), <= 120 s on the AWS-like case (twelve
# per-destination pools, 2 replications).  On a shared machine compare the
# CPU seconds: wall time depends on what else runs.
echo
printf '%-34s %8s %8s %6s %6s %8s %7s\n' plan wall_s cpu_s sims reps decided goal_s
plan_row() {
    name=$1; goal=$2; shift 2
    t0=$(date +%s.%N)
    cpu=$( { "$NATCAP" plan -o "$out/p" -j2 "$@" >"$out/pl" 2>/dev/null; times; } | tail -n 1)
    t1=$(date +%s.%N)
    line=$(grep '^plan: [0-9]' "$out/pl" | tail -n 1)
    echo "$cpu" | awk -v n="$name" -v g="$goal" -v t0="$t0" -v t1="$t1" -v l="$line" '
        function sec(s,   m) { m = s; sub(/m.*/, "", m); sub(/^[0-9.]*m/, "", s); sub(/s$/, "", s); return 60 * m + s }
        { split(l, w, " "); sims = w[2]; reps = w[4]; sub(/\(/, "", reps); dec = w[6];
          printf "%-34s %8.1f %8.1f %6s %6s %8s %7s\n", n, t1 - t0, sec($1) + sec($2), sims, reps, dec, g }'
}
[ -d inputs ] && plan_row "(p) plan, default inputs" "<=60" -i inputs
plan_row "(q) plan, AWS-like, 12 dest. pools" "<=120" -i tests/bench/plan-aws
