#!/bin/sh
# End-to-end tests of the natcap binary against SPEC.md (§1 command line,
# §2 input errors, §4 output files).  POSIX sh; run from the repository root:
#
#     NATCAP=/abs/path/natcap sh tests/e2e.sh
#
# Inputs live in tests/e2e/NAME/ and are small (half an hour, 2 replications),
# so the whole suite takes a few seconds.  Prints one line per check and a
# final "N passed, M failed"; exits 1 if any check failed.

NATCAP=${NATCAP:-./natcap}
E2E=tests/e2e
SPEC_SUMMARY="scenario gateway replications capacity peak_in_use peak_in_use_max
peak_utilization exhausted_replications first_exhaustion exhausted_minutes
requests attempts alloc_failures failed_requests failed_request_pct
new_connections reuse_pct stale_reuses"
SPEC_TIMESERIES="time t_s gateway in_use_mean in_use_p05 in_use_p50 in_use_p95
in_use_max active_mean idle_mean time_wait_mean utilization_mean
alloc_failures_mean failed_requests_mean"
SPEC_SERVICES="service gateway destination instances requests new_connections
reuse_pct in_use_at_peak failed_requests"

if [ ! -x "$NATCAP" ]; then
    echo "e2e: NATCAP=$NATCAP is not an executable" >&2
    exit 2
fi
if [ ! -d "$E2E" ]; then
    echo "e2e: run from the repository root ($E2E not found)" >&2
    exit 2
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-e2e.XXXXXX") || exit 2
. "$(dirname "$0")/conserve.sh"
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
# check NAME CONDITION...: ok if the command succeeds.
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else nok "$name" "failed: $*"; fi
}

# run_nc NAME ARGS...: run natcap, stdout/stderr/status to $T/NAME.{out,err,rc}.
run_nc() {
    name=$1
    shift
    "$NATCAP" "$@" >"$T/$name.out" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
    # every run that wrote results: the per-interval and per-service counts
    # add up to the totals (tests/conserve.sh)
    case $(cat "$T/$name.rc") in 0 | 3) ;; *) return 0 ;; esac
    if conserved "$@" >"$T/$name.cons"; then :; else
        nok "$name: counts add up to summary.csv" "$(cat "$T/$name.cons")"
    fi
}
rc_of() { cat "$T/$1.rc"; }
# expect_rc NAME WANT...: the exit status of run NAME is one of WANT.
expect_rc() {
    name=$1
    shift
    got=$(rc_of "$name")
    for want in "$@"; do
        if [ "$got" = "$want" ]; then
            ok "$name: exit $got"
            return 0
        fi
    done
    nok "$name: exit $got, wanted $*" "stderr: $(head -c 400 "$T/$name.err")"
    return 1
}

# has_cols_in_order FILE COLS: the header of FILE holds COLS in this order
# (other columns may sit between them).
has_cols_in_order() {
    [ -s "$1" ] || return 1
    head -n 1 "$1" | tr -d '\r' | awk -F, -v want="$2" '
        { n = split(want, w, /[ \n]+/); j = 1
          for (i = 1; i <= NF && j <= n; i++) if ($i == w[j]) j++
          if (j <= n) { print "missing or out of order: " w[j] > "/dev/stderr"; exit 1 } }'
}
# has_cols FILE COLS: the header of FILE holds every one of COLS.
has_cols() {
    [ -s "$1" ] || return 1
    head -n 1 "$1" | tr -d '\r' | awk -F, -v want="$2" '
        { n = split(want, w, /[ \n]+/)
          for (i = 1; i <= NF; i++) have[$i] = 1
          for (k = 1; k <= n; k++) if (w[k] != "" && !(w[k] in have)) {
              print "missing: " w[k] > "/dev/stderr"; exit 1 } }'
}
# col FILE NAME ROW: value of column NAME in data row ROW (1 = first row).
col() {
    tr -d '\r' <"$1" | awk -F, -v name="$2" -v row="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
        NR == row + 1 { print $c; exit }'
}
data_rows() { tail -n +2 "$1" | grep -c .; }
# same_csvs A B: every CSV below A and B exists in both and is byte-identical.
same_csvs() {
    (cd "$1" && find . -name '*.csv' | sort) >"$T/csvs.a"
    (cd "$2" && find . -name '*.csv' | sort) >"$T/csvs.b"
    cmp -s "$T/csvs.a" "$T/csvs.b" || return 1
    [ -s "$T/csvs.a" ] || return 1
    while read -r f; do
        cmp -s "$1/$f" "$2/$f" || { echo "differs: $f" >&2; return 1; }
    done <"$T/csvs.a"
}
# snapshot DIR: listing with sizes and checksums of every file below DIR.
snapshot() {
    (cd "$1" && find . -print | sort | while read -r f; do
        if [ -f "$f" ]; then echo "$f $(cksum <"$f")"; else echo "$f"; fi
    done)
}
no_tmp_files() { [ -d "$1" ] && [ -z "$(find "$1" -name '*.natcap-tmp*' -print)" ]; }
# no_files_named DIR GLOB: DIR exists and holds no file matching GLOB.
no_files_named() { [ -d "$1" ] && [ -z "$(find "$1" -name "$2" -print)" ]; }

# ------------------------------------------------------------ --help, --version
run_nc help --help
expect_rc help 0
check "help: usage on stdout" grep -q 'natcap run' "$T/help.out"
run_nc version --version
expect_rc version 0
check "version: prints 'natcap VERSION'" grep -q '^natcap [0-9]' "$T/version.out"

# ------------------------------------------------------------------ validate
run_nc validate validate -i "$E2E/exhaust"
expect_rc validate 0
check "validate: prints the counts" \
    grep -q '1 gateway, 2 destinations, 2 service rows, 1 profile, 2 scenarios' "$T/validate.out"
check "validate: lists each scenario" grep -q 'two-ips' "$T/validate.out"
run_nc validate_inputs validate -i inputs
expect_rc validate_inputs 0
check "validate -i inputs: the default input set loads" grep -q 'scenarios' "$T/validate_inputs.out"
run_nc validate_bad validate -i "$E2E/bad_input"
expect_rc validate_bad 65

# ------------------------------------------------- run: every SPEC §4 file
OUT=$T/out_j1
run_nc run_j1 run -i "$E2E/exhaust" -o "$OUT" -j 1
expect_rc run_j1 0
missing=
for f in summary.csv comparison.png comparison.pdf report.pdf report.md; do
    [ -s "$OUT/$f" ] || missing="$missing $f"
done
for s in baseline two-ips; do
    for f in timeseries.csv services.csv occupancy.png occupancy.pdf failures.png \
        failures.pdf services.png services.pdf; do
        [ -s "$OUT/$s/$f" ] || missing="$missing $s/$f"
    done
done
if [ -z "$missing" ]; then ok "run: writes every SPEC §4 file"; else nok "run: missing files:$missing"; fi
check "run: no SVG unless asked" no_files_named "$OUT" '*.svg'
check "run: PNG files are PNG" sh -c "head -c 8 '$OUT/comparison.png' | grep -q PNG"
check "run: PDF files are PDF" sh -c "head -c 5 '$OUT/report.pdf' | grep -q '%PDF'"
check "run: summary table on stdout" grep -q 'baseline' "$T/run_j1.out"
check "run: no temporary files left" no_tmp_files "$OUT"

check "summary.csv: SPEC columns in order" has_cols_in_order "$OUT/summary.csv" "$SPEC_SUMMARY"
check "summary.csv: one row per scenario and gateway" test "$(data_rows "$OUT/summary.csv")" -eq 2
check "timeseries.csv: SPEC columns" has_cols "$OUT/baseline/timeseries.csv" "$SPEC_TIMESERIES"
check "timeseries.csv: one row per minute of 0.5 h" \
    test "$(data_rows "$OUT/baseline/timeseries.csv")" -eq 30
check "services.csv: SPEC columns" has_cols "$OUT/baseline/services.csv" "$SPEC_SERVICES"
check "services.csv: one row per service row" test "$(data_rows "$OUT/baseline/services.csv")" -eq 2
check "summary: baseline exhausts in every replication" \
    test "$(col "$OUT/summary.csv" exhausted_replications 1)" = 2
check "summary: baseline has a first_exhaustion time" \
    sh -c "echo '$(col "$OUT/summary.csv" first_exhaustion 1)' | grep -Eq '^([0-9]+\+)?[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$'"
check "summary: two-ips does not exhaust" test "$(col "$OUT/summary.csv" exhausted_replications 2)" = 0
check "summary: two-ips has an empty first_exhaustion" \
    test "$(col "$OUT/summary.csv" scenario 2)" = two-ips -a -z "$(col "$OUT/summary.csv" first_exhaustion 2)"
check "summary: capacity is nat_ips x ports" \
    test "$(col "$OUT/summary.csv" capacity 1),$(col "$OUT/summary.csv" capacity 2)" = "200,400"

# ------------------------------------------------------ determinism and seeds
run_nc run_j2 run -i "$E2E/exhaust" -o "$T/out_j2" -j 2 -q
expect_rc run_j2 0
check "-j1 and -j2 give byte-identical CSVs" same_csvs "$OUT" "$T/out_j2"
run_nc run_again run -i "$E2E/exhaust" -o "$T/out_again" -j 2 -q
check "same seed twice gives identical CSVs" same_csvs "$T/out_j2" "$T/out_again"
run_nc run_seed run -i "$E2E/exhaust" -o "$T/out_seed" -q --seed 12345
expect_rc run_seed 0
if [ ! -s "$OUT/summary.csv" ] || [ ! -s "$T/out_seed/summary.csv" ]; then
    nok "--seed changes the results" "summary.csv missing"
elif cmp -s "$OUT/summary.csv" "$T/out_seed/summary.csv"; then
    nok "--seed changes the results" "summary.csv identical with --seed 12345"
else
    ok "--seed changes the results"
fi
run_nc run_r3 run -i "$E2E/exhaust" -o "$T/out_r3" -q -r 3
check "-r 3 overrides replications" test "$(col "$T/out_r3/summary.csv" replications 1)" = 3

# ------------------------------------------------------------ --format svg
run_nc run_svg run -i "$E2E/exhaust" -o "$T/out_svg" -q --format svg -s two-ips
expect_rc run_svg 0
missing=
for f in comparison.svg two-ips/occupancy.svg two-ips/failures.svg two-ips/services.svg; do
    [ -s "$T/out_svg/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "--format svg: writes .svg charts"; else nok "--format svg: missing$missing"; fi
check "--format svg: SVG files are SVG" grep -q '<svg' "$T/out_svg/comparison.svg"
check "--format svg: no PNG" no_files_named "$T/out_svg" '*.png'

# --------------------------------------------------------------- -s NAME
run_nc run_s run -i "$E2E/exhaust" -o "$T/out_s" -q -s two-ips
expect_rc run_s 0
check "-s: summary has only that scenario" \
    test "$(data_rows "$T/out_s/summary.csv"),$(col "$T/out_s/summary.csv" scenario 1)" = "1,two-ips"
check "-s: no directory for the other scenario" test -d "$T/out_s/two-ips" -a ! -e "$T/out_s/baseline"
run_nc run_ss run -i "$E2E/exhaust" -o "$T/out_ss" -q -s two-ips -s baseline
check "-s twice: both scenarios" test "$(data_rows "$T/out_ss/summary.csv")" -eq 2
run_nc run_s_unknown run -i "$E2E/exhaust" -o "$T/out_s_unknown" -q -s nosuch
expect_rc run_s_unknown 64
check "-s unknown: output directory not created" test ! -e "$T/out_s_unknown"

# ------------------------------------------------------ --fail-on-exhaustion
run_nc fail_exh run -i "$E2E/exhaust" -o "$T/out_fail" -q --fail-on-exhaustion
expect_rc fail_exh 3
check "--fail-on-exhaustion: results still written" test -s "$T/out_fail/summary.csv"
run_nc fail_ok run -i "$E2E/healthy" -o "$T/out_ok" -q --fail-on-exhaustion
expect_rc fail_ok 0
check "healthy input: no exhausted replications" \
    test "$(col "$T/out_ok/summary.csv" exhausted_replications 1)" = 0

# ------------------------------------------------------------------- plan
run_nc plan_fail plan -i "$E2E/exhaust" -o "$T/out_plan" -j2 -r 1 --fail-on-exhaustion
expect_rc plan_fail 3
check "plan --fail-on-exhaustion: plan.csv still written" test -s "$T/out_plan/plan.csv"
check "plan, stderr not a terminal: one line per round" \
    grep -q '^plan: round 2/[0-9]*, [0-9]* simulations done, [0-9]* s' "$T/plan_fail.err"
check "plan: no bar drawn off a terminal" sh -c "! grep -q \"\$(printf '\\r')\" '$T/plan_fail.err'"
check "plan.csv: alert lead never negative" \
    sh -c "! tail -n +2 '$T/out_plan/plan.csv' | cut -d, -f11 | grep -q '^-'"
run_nc plan_ok plan -i "$E2E/healthy" -o "$T/out_plan_ok" -q -r 1 --fail-on-exhaustion
expect_rc plan_ok 0
check "plan -q: nothing on stderr" test ! -s "$T/plan_ok.err"
check "plan -q: nothing on stdout" test ! -s "$T/plan_ok.out"
run_nc plan_aws plan -i tests/plan/aws -o "$T/out_plan_aws" -j2 -r 1
expect_rc plan_aws 0
check "plan, aws: TIME_WAIT is n/a with the reason" \
    grep -q 'time_wait_s_needed: n/a (AWS NAT Gateway has no setting' "$T/out_plan_aws/plan.csv"
check "plan, aws: stdout says n/a" grep -q 'n/a' "$T/plan_aws.out"
check "plan.csv: platform aws" test "$(col "$T/out_plan_aws/plan.csv" platform 1)" = aws

# ------------------------------------------------------------------ -q
run_nc quiet run -i "$E2E/healthy" -o "$T/out_q" -q
expect_rc quiet 0
check "-q: nothing on stdout" test ! -s "$T/quiet.out"
check "-q: nothing on stderr" test ! -s "$T/quiet.err"

# -------------------------------------------------------------- bad usage
run_nc usage_opt run -i "$E2E/healthy" -o "$T/out_u1" --no-such-option
expect_rc usage_opt 64
run_nc usage_j0 run -i "$E2E/healthy" -o "$T/out_u2" -j 0
expect_rc usage_j0 64
run_nc usage_gif run -i "$E2E/healthy" -o "$T/out_u3" --format gif
expect_rc usage_gif 64
run_nc usage_r0 run -i "$E2E/healthy" -o "$T/out_u4" -r 0
expect_rc usage_r0 64
run_nc usage_cmd frobnicate
expect_rc usage_cmd 64
run_nc usage_none
expect_rc usage_none 64
check "bad usage: nothing written" \
    test ! -e "$T/out_u1" -a ! -e "$T/out_u2" -a ! -e "$T/out_u3" -a ! -e "$T/out_u4"

# ------------------------------------------- bad input: 65, output unchanged
BADOUT=$T/out_bad
mkdir -p "$BADOUT/old"
echo "results of an earlier run" >"$BADOUT/summary.csv"
echo sentinel >"$BADOUT/old/sentinel.txt"
snapshot "$BADOUT" >"$T/bad.before"
run_nc bad run -i "$E2E/bad_input" -o "$BADOUT"
expect_rc bad 65
check "bad input: stderr names FILE:LINE: column 'X'" \
    grep -q "services.csv:3: column 'rps'" "$T/bad.err"
snapshot "$BADOUT" >"$T/bad.after"
check "bad input: output directory unchanged" cmp -s "$T/bad.before" "$T/bad.after"
run_nc bad_new run -i "$E2E/bad_input" -o "$T/out_bad_new"
expect_rc bad_new 65
check "bad input: missing output directory not created" test ! -e "$T/out_bad_new"
run_nc bad_dir run -i "$T/no-such-input" -o "$T/out_bad_dir"
expect_rc bad_dir 65 74

# ------------------------------------------------------ unwritable output
echo "not a directory" >"$T/plainfile"
run_nc unwritable run -i "$E2E/healthy" -o "$T/plainfile" -q
expect_rc unwritable 73 74
check "unwritable: error message on stderr" test -s "$T/unwritable.err"
check "unwritable: the file is untouched" grep -qx "not a directory" "$T/plainfile"
run_nc unwritable_sub run -i "$E2E/healthy" -o "$T/plainfile/sub" -q
expect_rc unwritable_sub 73 74

# ------------------------------------------------ rerun into an existing dir
run_nc rerun run -i "$E2E/healthy" -o "$T/out_q" -q
expect_rc rerun 0
check "rerun: no temporary files left" no_tmp_files "$T/out_q"
check "rerun: same results" same_csvs "$T/out_q" "$T/out_ok"

# ------------------------------------------------------ latency distributions
# Every distribution of SPEC §2 must run, not only validate.
run_nc gamma run -i "$E2E/gamma" -o "$T/out_gamma" -q
expect_rc gamma 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
