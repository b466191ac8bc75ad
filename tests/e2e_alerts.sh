#!/bin/sh
# End-to-end tests of summary.json / plan.json, plan --fail-below-headroom
# and natcap alerts (SPEC §7, §9).  POSIX sh; run from the repository root:
#
#     NATCAP=/abs/path/natcap sh tests/e2e_alerts.sh
#
# The rule files are checked with the real tools: promtool (Debian
# prometheus) and botocore's own parameter validation (python3-botocore),
# both offline; the GCP and Azure files against their documented schemas
# (tests/alerts/check_rules.py).

NATCAP=${NATCAP:-./natcap}
E2E=tests/e2e
A=tests/alerts
if [ ! -x "$NATCAP" ]; then
    echo "e2e_alerts: NATCAP=$NATCAP is not an executable" >&2
    exit 2
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-alerts.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    shift
    for line in "$@"; do echo "       $line"; done
}
# check NAME COMMAND...: ok if the command succeeds (its output shown if not).
check() {
    name=$1
    shift
    if "$@" >"$T/check.log" 2>&1; then ok "$name"; else nok "$name" "failed: $*" "$(tail -20 "$T/check.log")"; fi
}
run_nc() {
    name=$1
    shift
    "$NATCAP" "$@" >"$T/$name.out" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
}
rc_is() { [ "$(cat "$T/$1.rc")" = "$2" ]; }

# ---- summary.json / plan.json -------------------------------------------------------
run_nc run run -i $E2E/exhaust -o "$T/run" -q
check "run: exit 0" rc_is run 0
check "run: summary.json holds every figure of summary.csv" \
    python3 $A/json_matches_csv.py "$T/run/summary.csv" "$T/run/summary.json"
run_nc plan plan -i $E2E/exhaust -o "$T/plan" -q
check "plan: exit 0" rc_is plan 0
check "plan: plan.json holds every figure of plan.csv, recommendations agree" \
    python3 $A/json_matches_csv.py "$T/plan/plan.csv" "$T/plan/plan.json" --recommendations
check "plan: summary.json holds every figure of its summary.csv" \
    python3 $A/json_matches_csv.py "$T/plan/summary.csv" "$T/plan/summary.json"
run_nc shard1 run -i $E2E/exhaust -o "$T/parts" -q --shard 0/2
run_nc shard2 run -i $E2E/exhaust -o "$T/parts" -q --shard 1/2
run_nc merge merge -o "$T/merged" -q "$T/parts"
check "merge: summary.json identical to run's" cmp "$T/run/summary.json" "$T/merged/summary.json"

# ---- plan --fail-below-headroom -----------------------------------------------------
# baseline exhausts at today's load (headroom < 1); two-ips does not.
run_nc gate_fail plan -i $E2E/exhaust -o "$T/gate1" -q -s baseline --fail-below-headroom 1
check "headroom gate: exhausting scenario exits 3" rc_is gate_fail 3
check "headroom gate: says which gateway" grep -q "scenario baseline, gateway nat" "$T/gate_fail.err"
run_nc gate_ok plan -i $E2E/exhaust -o "$T/gate2" -q -s two-ips --fail-below-headroom 1
check "headroom gate: healthy scenario exits 0" rc_is gate_ok 0
check "headroom gate: outputs still written" test -s "$T/gate1/plan.json"
# two-ips carries 400 ports for ~300 wanted: room for 4/3, not for 2x
run_nc gate_2x plan -i $E2E/exhaust -o "$T/gate3" -q -s two-ips --fail-below-headroom 2
check "headroom gate: 2x growth asked of two-ips exits 3" rc_is gate_2x 3
# a gate above --max-scale: the search goes up to H, so a healthy gateway passes
# (searched only to 1.2x it would read "at least 1.2x", below 1.5x)
run_nc gate_scale plan -i $E2E/healthy -o "$T/gate5" -q --max-scale 1.2 --fail-below-headroom 1.5
check "headroom gate above --max-scale: searched up to H, healthy passes" rc_is gate_scale 0
# no headroom at all (instances without ports): said in words, not as nan
run_nc gate_na plan -i $E2E/per-instance -o "$T/gate6" -q --fail-below-headroom 1
check "headroom gate: fails at any load exits 3" rc_is gate_na 3
check "headroom gate: no headroom said in words" grep -q "no headroom, it fails at any load" "$T/gate_na.err"
check "headroom gate: no nan in the message" sh -c "! grep -qi nan '$T/gate_na.err'"
run_nc gate_run run -i $E2E/exhaust -o "$T/gate4" -q --fail-below-headroom 1
check "--fail-below-headroom is not a run option (64)" rc_is gate_run 64

# ---- natcap alerts: one input set per preset ------------------------------------------
# tests/e2e/alerts with the gateway given each preset; per-instance presets get 32 ports
# per instance (the web instances want ~54 at the top of the ramp) out of 400, enough
# for all 10 instances.
promtool_ok=1
command -v promtool >/dev/null 2>&1 || promtool_ok=0
for p in linux aws gcp azure azure_lb; do
    d="$T/in-$p"
    mkdir -p "$d"
    cp $E2E/alerts/*.csv "$d/"
    case $p in
    gcp | azure_lb) ppi=32 max=20399 ;;
    *) ppi=0 max=20199 ;;
    esac
    printf 'gateway,preset,nat_ips,port_min,port_max,mapping,time_wait_s,ports_per_instance\nnat,%s,1,20000,%s,global,30,%s\n' \
        "$p" "$max" "$ppi" >"$d/gateways.csv"
    run_nc "al-$p" alerts -i "$d" -o "$T/al-$p" -q
    check "alerts ($p preset): exit 0" rc_is "al-$p" 0
    check "alerts ($p): alerts.csv has the SPEC columns" sh -c \
        "head -1 '$T/al-$p/alerts.csv' | grep -q '^scenario,gateway,rule,platform,metric,threshold,window_s,detected_replications,failing_replications,lead_p05_minutes,lead_median_minutes,false_alarm_replications,observed_fired_at'"
    check "alerts ($p): figures agree with an independent evaluation of the rules as written" \
        python3 $A/evaluate.py "$T/al-$p"
    check "alerts ($p): the leading rule fires >= 15 min ahead in every failing baseline replication" \
        awk -F, '$1 == "baseline" && $3 == "leading" { ok = ($8 == $9 && $9 > 0 && $10 >= 15) } END { exit !ok }' "$T/al-$p/alerts.csv"
    check "alerts ($p): report.md has the alerts table and the runbook" sh -c \
        "grep -q '^## Alerts' '$T/al-$p/report.md' && grep -q '^### Gateway nat' '$T/al-$p/report.md'"
    check "alerts ($p): alerts.json holds every figure of alerts.csv" \
        python3 $A/json_matches_csv.py "$T/al-$p/alerts.csv" "$T/al-$p/alerts.json"
    case $p in
    linux)
        if [ $promtool_ok = 1 ]; then
            check "alerts (linux): promtool check rules" promtool check rules "$T/al-$p/alerts/prometheus.rules.yml"
            check "alerts (linux): promtool test rules (alerts at natcap's times)" \
                sh -c "cd '$T/al-$p/alerts' && promtool test rules prometheus.test.yml"
        else
            nok "promtool not installed (scripts/deps.sh installs prometheus)"
        fi ;;
    *)
        check "alerts ($p): rule files valid (botocore / documented schemas)" \
            python3 $A/check_rules.py "$T/al-$p/alerts" ;;
    esac
done
# the runbook ranks plan's answers first when natcap plan wrote into the same directory
# observed_fired_at: when each rule would have fired on an observed day (synthetic
# per-minute series of every metric the linux and aws rules read), checked by an
# independent evaluation of the rule as alerts.csv states it.
for p in linux aws; do
    d="$T/in-obs-$p"
    mkdir -p "$d" && cp "$T/in-$p"/*.csv "$d/"
    awk 'BEGIN {
        print "# synthetic observations for the test, not measured"
        print "time,gateway,metric,value,interval_s,stat"
        for (k = 0; k < 180; k++) {
            t = sprintf("%02d:%02d", int(k / 60), k % 60)
            printf "%s,nat,in_use,%d,60,max\n", t, 2 * k
            printf "%s,nat,open,%d,60,max\n", t, k
            printf "%s,nat,new_connections,%d,60,sum\n", t, 5 * k
            printf "%s,nat,attempts,%d,60,sum\n", t, 6 * k
            printf "%s,nat,alloc_failures,%d,60,sum\n", t, (k >= 100 ? k - 99 : 0)
        }
    }' >"$d/observed.csv"
    run_nc "al-obs-$p" alerts -i "$d" -o "$T/al-obs-$p" -q
    check "alerts ($p) with observed.csv: exit 0" rc_is "al-obs-$p" 0
    check "alerts ($p): observed_fired_at agrees with an independent evaluation on the observed day" \
        python3 $A/observed_fired.py "$T/al-obs-$p/alerts.csv" "$d/observed.csv" baseline
    check "alerts ($p): observed_fired_at only for the scenario compared with the observations" \
        awk -F, 'NR > 1 && $1 != "baseline" && $13 != "" { bad = 1 } END { exit bad }' "$T/al-obs-$p/alerts.csv"
done
run_nc pl-rb plan -i "$T/in-linux" -o "$T/plan-rb" -q -r 2
run_nc al-rb alerts -i "$T/in-linux" -o "$T/plan-rb" -q -r 2
check "alerts after plan: runbook lists plan's fixes" sh -c \
    "rc=\$(cat '$T/al-rb.rc'); [ \$rc = 0 ] && grep -q '^1\\. plan (scenario baseline)' '$T/plan-rb/report.md' && grep -q 'NAT IPs 1 → ' '$T/plan-rb/report.md'"
# --platform overrides the preset; a healthy scenario gives false alarms, no detections
run_nc al-over alerts -i "$T/in-gcp" -o "$T/al-over" -q --platform aws
check "alerts --platform aws on a gcp gateway writes CloudWatch inputs" test -s "$T/al-over/alerts/cloudwatch-nat.json"
run_nc al-badp alerts -i "$T/in-gcp" -o "$T/al-badp" -q --platform oracle
check "alerts --platform oracle: usage error (64)" rc_is al-badp 64
run_nc al-runp run -i "$T/in-gcp" -o "$T/al-runp" -q --platform aws
check "--platform is not a run option (64)" rc_is al-runp 64
# rerun identical with another -j (results are a pure function of inputs and seeds)
run_nc al-j1 alerts -i "$T/in-aws" -o "$T/al-j1" -q -j 1
check "alerts: alerts.csv byte-identical for -j 1 and the default" cmp "$T/al-aws/alerts.csv" "$T/al-j1/alerts.csv"
check "alerts: rule files byte-identical for -j 1" cmp "$T/al-aws/alerts/cloudwatch-nat.json" "$T/al-j1/alerts/cloudwatch-nat.json"
# bad input: exit 65 and nothing written
mkdir -p "$T/in-bad" && cp $E2E/alerts/*.csv "$T/in-bad/"
printf 'gateway,nat_ips,port_min,port_max,mapping,time_wait_s\nnat,x,20000,20199,global,30\n' >"$T/in-bad/gateways.csv"
run_nc al-bad alerts -i "$T/in-bad" -o "$T/al-bad" -q
check "alerts on bad input: exit 65" rc_is al-bad 65
check "alerts on bad input: nothing written" sh -c "! ls '$T/al-bad/alerts.csv' 2>/dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
