#!/bin/sh
# End-to-end tests of what validate explains, of every input error reported at
# once, and of `natcap estimate`.  POSIX sh; run from the repository root:
#
#     NATCAP=/abs/path/natcap sh tests/e2e_explain.sh
#
# Inputs: tests/e2e/explain (an aws gateway with per-destination pools, an
# azure_lb gateway with a 150-instance backend, a rate_scale on the 2 of 6 rows
# that call `segment`) and tests/e2e/hostile-base with one file replaced.
# Expected figures are derived here (SPEC §2 presets, Little's law), not read
# from natcap.  Prints one line per check and "N passed, M failed".

NATCAP=${NATCAP:-./natcap}
IN=tests/e2e/explain
BASE=tests/e2e/hostile-base
[ -x "$NATCAP" ] || { echo "e2e_explain: NATCAP=$NATCAP is not an executable" >&2; exit 2; }
[ -d "$IN" ] || { echo "e2e_explain: run from the repository root" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-explain.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/conserve.sh"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() { failed=$((failed + 1)); echo "FAIL - $1"; shift; for l in "$@"; do echo "       $l"; done; }
run_nc() {
    name=$1
    shift
    "$NATCAP" "$@" >"$T/$name.out" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
    # every run that wrote results: counts add up to summary.csv (tests/conserve.sh)
    case $(cat "$T/$name.rc") in 0 | 3) ;; *) return 0 ;; esac
    if conserved "$@" >"$T/$name.cons"; then :; else
        nok "$name: counts add up to summary.csv" "$(cat "$T/$name.cons")"
    fi
}
rc_of() { cat "$T/$1.rc"; }
# has NAME FILE TEXT: FILE ($T/FILE) contains the fixed string TEXT
has() {
    if grep -qF -- "$3" "$T/$2"; then ok "$1"; else nok "$1" "no line with: $3" "$(cat "$T/$2")"; fi
}
lines() { wc -l <"$T/$1" | tr -d ' '; }

# ---------------------------------------------------------------- validate explains
run_nc val validate -i "$IN"
[ "$(rc_of val)" = 0 ] && ok "validate: exit 0" || nok "validate: exit 0" "exit $(rc_of val)"
has "validate: counts first" val.out "$IN: 2 gateways, 3 destinations, 6 service rows"
# aws: per destination address, 55,000 (SPEC §2 presets), 3 addresses (segment 1 + api 2)
has "validate: aws pools of 55,000 per destination address" val.out \
    "pools: one per destination address, 55,000 each"
has "validate: aws pool count" val.out "per_destination_limit 55000 (preset aws)); 3 pools"
has "validate: aws TIME_WAIT from the preset" val.out "time_wait_s 60 (preset aws), idle_timeout_s 350 (preset aws)"
has "validate: nat_ips by default" val.out "1 NAT IP (default)"
# azure_lb: backend 100 + 50 = 150 instances -> the <= 200 tier, 256 ports
has "validate: azure_lb tier 256 for 150 instances" val.out \
    "256 ports each (ports_per_instance 256 per instance, preset azure_lb: tier for a backend of 150 instances)"
# 64000 ports per IP / 256 = 250 instances can be reserved
has "validate: azure_lb reservations" val.out "the ports reserve 250 instances of 150"
has "validate: override on 2 of 6 rows with its selector" val.out \
    "black-friday: rate_scale 1.4 on 2 of 6 rows (destination=segment): rps 50 -> 70"
has "validate: gateway override" val.out "two-ips: nat_ips 2 on 1 of 2 gateways (gateway=nat): nat_ips 1 -> 2"
has "validate: scenario without overrides" val.out "baseline: none"
run_nc valv validate -v -i "$IN"
has "validate -v: every row the override touched (50 x 1.4)" valv.out "web>segment@nat"
has "validate -v: second row (10 x 1.4)" valv.out "rps 10 -> 14"
if grep -q "ports_per_instance  *256  *preset azure_lb: tier" "$T/valv.out"; then
    ok "validate -v: full table with sources"
else
    nok "validate -v: full table with sources" "$(cat "$T/valv.out")"
fi
[ "$(lines val.out)" -lt "$(lines valv.out)" ] && ok "validate: short by default" \
    || nok "validate: short by default" "$(lines val.out) vs $(lines valv.out) lines"

# ---------------------------------------------------------------- every error at once
case_dir() {
    rm -rf "$T/case"
    cp -R "$BASE" "$T/case"
    printf '%b' "$2" >"$T/case/$1"
}
case_dir services.csv 'service,gateway,destination,instance,rsp,profile\nweb,gw,api,4,10,day\n'
run_nc typo validate -i "$T/case"
[ "$(rc_of typo)" = 65 ] && ok "two header typos: exit 65" || nok "two header typos: exit 65" "exit $(rc_of typo)"
if [ "$(lines typo.err)" = 2 ] \
   && sed -n 1p "$T/typo.err" | grep -qxF "natcap: $T/case/services.csv:1: unknown column 'instance' (did you mean 'instances'?)" \
   && sed -n 2p "$T/typo.err" | grep -qxF "natcap: $T/case/services.csv:1: unknown column 'rsp' (did you mean 'rps'?)"; then
    ok "two header typos: both reported in one run, in column order"
else
    nok "two header typos: both reported in one run, in column order" "$(cat "$T/typo.err")"
fi
[ -s "$T/typo.out" ] && nok "two header typos: nothing on stdout" "$(cat "$T/typo.out")" \
    || ok "two header typos: nothing on stdout"

case_dir services.csv 'service,gateway,destination,instances,rps,profile\nweb,gw,api,4,fast,day\napp,gw,api,0,10,day\nok,gw,api,1,1,day\nx,gw,api,1,-2,day\n'
run_nc rows run -q -i "$T/case" -o "$T/rows-out"
if [ "$(rc_of rows)" = 65 ] && [ "$(lines rows.err)" = 3 ] \
   && sed -n 1p "$T/rows.err" | grep -qF "services.csv:2: column 'rps'" \
   && sed -n 2p "$T/rows.err" | grep -qF "services.csv:3: column 'instances'" \
   && sed -n 3p "$T/rows.err" | grep -qF "services.csv:5: column 'rps'" \
   && [ ! -e "$T/rows-out" ]; then
    ok "three bad rows: all reported, in file order, exit 65, nothing written"
else
    nok "three bad rows: all reported, in file order, exit 65, nothing written" \
        "exit $(rc_of rows)" "$(cat "$T/rows.err")"
fi

# errors in two files, found by the same stage: both, gateways.csv first
rm -rf "$T/case" && cp -R "$BASE" "$T/case"
printf 'gateway,preset,nat_ips,port_min,port_max,time_wait_s\ngw,,0,1024,65535,60\n' >"$T/case/gateways.csv"
printf 'service,gateway,destination,instances,rps,profile\nweb,gw,api,4,fast,day\n' >"$T/case/services.csv"
run_nc two validate -i "$T/case"
if [ "$(lines two.err)" = 2 ] && sed -n 1p "$T/two.err" | grep -qF "gateways.csv:2: column 'nat_ips'" \
   && sed -n 2p "$T/two.err" | grep -qF "services.csv:2: column 'rps'"; then
    ok "errors of two files: both, in file order"
else
    nok "errors of two files: both, in file order" "$(cat "$T/two.err")"
fi

# 25 bad rows: the first 20, then a note
{
    echo 'service,gateway,destination,instances,rps,profile'
    i=0
    while [ $i -lt 25 ]; do echo "s$i,gw,api,4,bad,day"; i=$((i + 1)); done
} >"$T/case/services.csv"
cp "$BASE/gateways.csv" "$T/case/gateways.csv"
run_nc many validate -i "$T/case"
if [ "$(rc_of many)" = 65 ] && [ "$(lines many.err)" = 21 ] \
   && tail -n 1 "$T/many.err" | grep -qxF "natcap: stopped after 20 errors"; then
    ok "25 bad rows: 20 reported, then 'stopped after 20 errors'"
else
    nok "25 bad rows: 20 reported, then 'stopped after 20 errors'" "$(cat "$T/many.err")"
fi

# a file that is not CSV stops at once (a broken quote): one line
case_dir services.csv 'service,gateway,destination,instances,rps,profile\nweb,gw,api,4,"10,day\n'
run_nc quote validate -i "$T/case"
[ "$(rc_of quote)" = 65 ] && [ "$(lines quote.err)" = 1 ] && ok "broken quote: one error, stops" \
    || nok "broken quote: one error, stops" "$(cat "$T/quote.err")"

# ---------------------------------------------------------------- estimate
run_nc est estimate -i "$IN" -o "$T/est"
[ "$(rc_of est)" = 0 ] && ok "estimate: exit 0" || nok "estimate: exit 0" "exit $(rc_of est) $(cat "$T/est.err")"
if [ "$(ls "$T/est")" = estimate.csv ]; then ok "estimate: writes estimate.csv only"; else
    nok "estimate: writes estimate.csv only" "$(ls "$T/est")"; fi
has "estimate.csv: columns" est/estimate.csv \
    "scenario,gateway,binding_pool,pools_total,capacity,demand_peak,demand_peak_time,demand_utilization,instances_without_ports,rows_estimated,rows_pooled,verdict"
[ "$(wc -l <"$T/est/estimate.csv")" = 7 ] && ok "estimate.csv: one row per scenario and gateway" \
    || nok "estimate.csv: one row per scenario and gateway" "$(cat "$T/est/estimate.csv")"
# Little's law on the segment pool: (10 x 50 + 5 x 10) req/s x (E[lognormal] + 60 s TIME_WAIT);
# lognormal median 40 ms, p99 400 ms: sigma = ln(10) / z(0.99), E = 40 ms x exp(sigma^2 / 2)
want=$(awk 'BEGIN { s = log(10) / 2.326347874; printf "%.3f", 550 * (0.040 * exp(s * s / 2) + 60) }')
got=$(awk -F, '$1 == "baseline" && $2 == "nat" { print $6 }' "$T/est/estimate.csv")
if awk -v w="$want" -v g="$got" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d < 1e-4 * w) }'; then
    ok "estimate: aws segment demand = Little's law ($want)"
else
    nok "estimate: aws segment demand = Little's law" "got '$got', want $want"
fi
has "estimate: binding pool named as SPEC §5 (DESTINATION#K)" est/estimate.csv "baseline,nat,segment#1,3,55000,"
# black-friday: segment rows x 1.4 -> 770 req/s, against 55,000: above 80 %
has "estimate: one-line verdict" est.out "black-friday/nat: demand 46,250 all day against 55,000 in segment#1: near"
# two-ips: 2 x 55,000
has "estimate: capacity follows the override" est.out "two-ips/nat: demand 33,036 all day against 110,000 in segment#1: fits"
# azure_lb per instance and address: worker -> pay, 1 req/s per instance x (50 ms + 240 s) = 240.05
has "estimate: per-instance pool (SERVICE#I>DESTINATION#K)" est/estimate.csv "baseline,lb,worker#1>pay#1,250,256,240.050,"

# a rising profile (0.5 at 00:00 to 1 at 12:00) over a 0.1 h day: the peak is at its end, 00:06
run_nc ramp estimate -i "$BASE" -o "$T/ramp-out"
if grep -q "^base/gw: demand [0-9,]* at 00:06 against 64,512 in gw: fits$" "$T/ramp.out"; then
    ok "estimate: time of the peak on a ramp; global pool named after the gateway"
else
    nok "estimate: time of the peak on a ramp; global pool named after the gateway" "$(cat "$T/ramp.out")"
fi

# instances without ports: gcp 64 ports per VM, 1 IP: 64512 / 64 = 1008 of 1500 VMs
rm -rf "$T/gcp" && cp -R "$BASE" "$T/gcp"
printf 'gateway,preset\ngw,gcp\n' >"$T/gcp/gateways.csv"
printf 'service,gateway,destination,instances,rps,profile\nweb,gw,api,1500,0.1,day\n' >"$T/gcp/services.csv"
run_nc gcp estimate -i "$T/gcp" -o "$T/gcp-out"
has "estimate: instances without ports counted (1500 - 1008)" gcp.out "492 instances without ports"
has "estimate: an instance without ports binds (SERVICE#I>DESTINATION#K: web#1009>api#1)" gcp-out/estimate.csv "base,gw,web#1009>api#1,1500,0,"
has "estimate: verdict exhausts" gcp-out/estimate.csv ",492,1,0,exhausts"

run_nc ests estimate -i "$IN" -o "$T/ests" -s two-ips
[ "$(wc -l <"$T/ests/estimate.csv")" = 3 ] && ok "estimate -s: only that scenario" \
    || nok "estimate -s: only that scenario" "$(cat "$T/ests/estimate.csv")"
run_nc estbad estimate -i "$IN" -o "$T/estbad" -s nope
[ "$(rc_of estbad)" = 64 ] && [ ! -e "$T/estbad" ] && ok "estimate -s unknown: exit 64, nothing written" \
    || nok "estimate -s unknown: exit 64, nothing written" "exit $(rc_of estbad)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
