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
run_nc gate_run run -i $E2E/exhaust -o "$T/gate4" -q --fail-below-headroom 1
check "--fail-below-headroom is not a run option (64)" rc_is gate_run 64

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
