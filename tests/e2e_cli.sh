#!/bin/sh
# e2e_cli.sh - the command line and getting started, end to end (SPEC §1, §9):
# options a command does not take, per-command help, did-you-mean, validate
# -q / -s / -o, plan --fail-on-exhaustion, the output directory checked
# before anything is simulated, the messages for a missing input directory
# and a directory given without -i, `natcap init` for every preset (each
# set validates and runs), and `make install` / `make uninstall` of the man
# page and the example inputs into a DESTDIR.
#
#   NATCAP=/abs/path/natcap sh tests/e2e_cli.sh     (from the repository root)
#
# Prints "N passed, M failed" last; exits 1 when anything failed.

set -u
NATCAP=${NATCAP:-$(pwd)/natcap}
E2E=tests/e2e
T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-cli.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
unset GSL_RNG_TYPE SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX

if [ ! -x "$NATCAP" ] || [ ! -d "$E2E" ]; then
    echo "e2e_cli: needs NATCAP=$NATCAP and $E2E (run from the repository root)" >&2
    exit 2
fi

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    shift
    for line in "$@"; do echo "       $line"; done
}
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else nok "$name" "failed: $*"; fi
}
# run_nc NAME ARGS...: natcap's stdout/stderr/status into $T/NAME.{out,err,rc}.
# A run that should stop at once but simulates instead is cut off after 60 s
# (exit 124), so a regression fails the check rather than hanging the suite.
run_nc() {
    name=$1
    shift
    timeout -k 5 60 "$NATCAP" "$@" >"$T/$name.out" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
}
# expect NAME RC [PATTERN]: run NAME exited RC and its stderr matches PATTERN
# (a fixed string).
expect() {
    got=$(cat "$T/$1.rc")
    if [ "$got" != "$2" ]; then
        nok "$1: exit $got, wanted $2" "stderr: $(head -c 400 "$T/$1.err")"
        return
    fi
    if [ $# -ge 3 ] && ! grep -qF -- "$3" "$T/$1.err"; then
        nok "$1: exit $2 but stderr lacks '$3'" "stderr: $(head -c 400 "$T/$1.err")"
        return
    fi
    ok "$1: exit $2${3:+ ($3)}"
}

# ------------------------------------------------ options a command does not take
run_nc run_growth run -i "$E2E/exhaust" -o "$T/o_growth" --growth 2
expect run_growth 64 "run: option --growth belongs to plan"
check "run --growth: no output directory made" test ! -e "$T/o_growth"
run_nc validate_o validate -i "$E2E/exhaust" -o "$T/o_val"
expect validate_o 64 "validate: option -o belongs to run, plan, alerts, merge, estimate, fit"
check "validate -o: nothing made" test ! -e "$T/o_val"
run_nc merge_r merge -o "$T/o_m" -r 2 "$T/nopart"
expect merge_r 64 "merge: option -r belongs to run, plan"
run_nc run_preset run -i "$E2E/exhaust" -o "$T/o_p" --preset aws
expect run_preset 64 "option --preset belongs to init"
run_nc run_knots run -i "$E2E/exhaust" -o "$T/o_k" --knots 4
expect run_knots 64 "run: option --knots belongs to fit"
run_nc plan_metric plan -i "$E2E/exhaust" -o "$T/o_k" --metric in_use
expect plan_metric 64 "plan: option --metric belongs to import"
run_nc unknown_opt run -i "$E2E/exhaust" -o "$T/o_u" --grwth 2
expect unknown_opt 64 "unknown option --grwth (--growth is an option of plan, not of run)"
run_nc unknown_own plan -i "$E2E/exhaust" -o "$T/o_u" --grwth 2
expect unknown_own 64 "unknown option --grwth (did you mean --growth?)"
run_nc unknown_cmd rnu
expect unknown_cmd 64 "unknown command 'rnu' (did you mean 'run'?)"
run_nc missing_value run -i "$E2E/exhaust" --seed
expect missing_value 64 "option --seed needs a value"

# ------------------------------------------------------------------ help
for cmd in run plan merge validate estimate init; do
    run_nc "help_$cmd" "$cmd" --help
    expect "help_$cmd" 0
    check "$cmd --help: its own synopsis on stdout" grep -q "^Usage: natcap $cmd " "$T/help_$cmd.out"
    run_nc "helpcmd_$cmd" help "$cmd"
    check "help $cmd = $cmd --help" cmp -s "$T/help_$cmd.out" "$T/helpcmd_$cmd.out"
done
check "run --help names --shard, not --growth" \
    sh -c "grep -q -- '--shard' '$T/help_run.out' && ! grep -q -- '--growth' '$T/help_run.out'"
check "plan --help names --growth and --fail-on-exhaustion, not --shard" \
    sh -c "grep -q -- '--growth' '$T/help_plan.out' && grep -q -- '--fail-on-exhaustion' '$T/help_plan.out' && ! grep -q -- '--shard' '$T/help_plan.out'"
check "merge --help names PART..." grep -q 'PART\.\.\.' "$T/help_merge.out"
check "run, plan and merge --help differ" \
    sh -c "! cmp -s '$T/help_run.out' '$T/help_plan.out' && ! cmp -s '$T/help_run.out' '$T/help_merge.out' && ! cmp -s '$T/help_plan.out' '$T/help_merge.out'"
run_nc help_fit fit --help
expect help_fit 0
check "fit --help lists its options (--knots, --latency, --observed-fold)" \
    sh -c "grep -q -- '--knots N  ' '$T/help_fit.out' && grep -q -- '--latency  ' '$T/help_fit.out' && grep -q -- '--observed-fold F  ' '$T/help_fit.out'"
check "fit --help: -s once ([-s NAME], not [-s NAME]...)" \
    sh -c "grep -qF -- '[-s NAME] ' '$T/help_fit.out' && ! grep -qF -- '[-s NAME]...' '$T/help_fit.out'"
check "exit 3 only in the help of commands that return it" \
    sh -c "grep -q '^3 exhaustion' '$T/help_run.out' && grep -q 'fail-below-headroom' '$T/help_plan.out' && ! grep -q '3 exhaustion' '$T/help_estimate.out' && ! grep -q '3 exhaustion' '$T/help_init.out' && ! grep -q '3 exhaustion' '$T/help_fit.out'"
run_nc help_global --help
check "--help lists every command" \
    sh -c "for c in run plan merge validate estimate init help; do grep -q \"^  \$c \" '$T/help_global.out' || exit 1; done"
check "--help differs from run --help" sh -c "! cmp -s '$T/help_global.out' '$T/help_run.out'"
run_nc help_wins run --growth 2 --help
expect help_wins 0
run_nc help_unknown help rnu
expect help_unknown 64 "did you mean 'run'?"

# -------------------------------------------------------------- validate
run_nc validate_q validate -q -i "$E2E/exhaust"
expect validate_q 0
check "validate -q: nothing on stdout" test ! -s "$T/validate_q.out"
run_nc validate_q_bad validate -q -i "$E2E/bad_input"
expect validate_q_bad 65 "bad_input/"
run_nc validate_s validate -i "$E2E/exhaust" -s two-ips
expect validate_s 0
check "validate -s: lists only that scenario" \
    sh -c "grep -q 'scenario two-ips' '$T/validate_s.out' && ! grep -q 'scenario baseline' '$T/validate_s.out'"
run_nc validate_s_bad validate -i "$E2E/exhaust" -s nope
expect validate_s_bad 64 "no scenario named 'nope'"

# ------------------------------------------------------ -s did you mean
run_nc s_typo run -i "$E2E/exhaust" -o "$T/o_typo" -q -s basline
expect s_typo 64 "did you mean 'baseline'?"
check "-s typo: no output directory made" test ! -e "$T/o_typo"

# ------------------------------------ output checked before anything is simulated
# -r 1000000 of this set is ~2e10 requests, about an hour of CPU: only a check
# made before the simulation can answer within run_nc's 60 s.
echo "a file, not a directory" >"$T/afile"
run_nc out_file run -i "$E2E/exhaust" -o "$T/afile" -q -r 1000000
expect out_file 73 "$T/afile"
check "output a file: the file is untouched" grep -qx "a file, not a directory" "$T/afile"
run_nc out_file_plan plan -i "$E2E/exhaust" -o "$T/afile" -q -r 1000000
expect out_file_plan 73 "$T/afile"
run_nc out_below_file run -i "$E2E/exhaust" -o "$T/afile/sub" -q -r 1000000
expect out_below_file 73

# ------------------------------------------------------ plan --fail-on-exhaustion
run_nc plan_fail plan -i "$E2E/exhaust" -o "$T/o_plan" -q -r 1 -j 2 --fail-on-exhaustion
expect plan_fail 3
check "plan --fail-on-exhaustion: plan.csv written all the same" test -s "$T/o_plan/plan.csv"
run_nc plan_nofail plan -i "$E2E/exhaust" -o "$T/o_plan2" -q -r 1 -j 2 -s two-ips \
    --fail-on-exhaustion
expect plan_nofail 0

# ------------------------------------------------- input directory messages
mkdir -p "$T/empty"
(cd "$T/empty" && timeout 60 "$NATCAP" validate >"$T/noinput.out" 2>"$T/noinput.err"; echo $? >"$T/noinput.rc")
expect noinput 65 "input directory 'inputs' not found"
(cd "$T/empty" && timeout 60 "$NATCAP" run -q >"$T/noinput_run.out" 2>"$T/noinput_run.err"; echo $? >"$T/noinput_run.rc")
expect noinput_run 65 "input directory 'inputs' not found"
check "missing input directory: no outputs/ made" test ! -e "$T/empty/outputs"
run_nc noinput_i validate -i "$T/nosuch"
expect noinput_i 65 "input directory '$T/nosuch' not found"
for cmd in validate run plan; do
    run_nc "positional_$cmd" "$cmd" "$E2E/exhaust"
    expect "positional_$cmd" 64 "did you mean -i $E2E/exhaust?"
done
run_nc positional_file validate "$T/afile"
expect positional_file 64 "unexpected argument"

# ------------------------------------------------------------------ init
for preset in aws gcp azure azure_lb linux; do
    d="$T/init_$preset"
    run_nc "init_$preset" init --preset "$preset" "$d"
    expect "init_$preset" 0
    check "init $preset: five commented files" \
        sh -c "for f in gateways destinations services profiles scenarios; do head -n 1 '$d/'\$f.csv | grep -q '^#' || exit 1; done"
    check "init $preset: the gateway uses the preset" grep -q "^egress,$preset," "$d/gateways.csv"
    run_nc "init_validate_$preset" validate -i "$d"
    expect "init_validate_$preset" 0
    run_nc "init_run_$preset" run -i "$d" -o "$d-out" -q -r 1 -j 2 -s baseline --format png
    expect "init_run_$preset" 0
    check "init $preset: the run wrote summary.csv" test -s "$d-out/summary.csv"
done
check "init: aws says 'an aws input set'" grep -q "wrote an aws input set" "$T/init_aws.out"
# plan's notes one per line, a note's own "; " inside parentheses kept whole
run_nc plan_notes plan -i "$T/init_azure" -o "$T/init_azure-plan" -r 1 -j 2 -s baseline
expect plan_notes 0
check "plan notes: a parenthesis with '; ' stays on its line" \
    grep -q "^  time_wait_s_needed: n/a (Azure NAT Gateway holds a closed port for a fixed 65 s (16 s after a RST); only the idle timeout" "$T/plan_notes.out"
cp "$T/init_aws/services.csv" "$T/services.before"
run_nc init_again init --preset gcp "$T/init_aws"
expect init_again 73 "already exists"
check "init again: the files are untouched" cmp -s "$T/services.before" "$T/init_aws/services.csv"
check "init again: still the aws gateway" grep -q '^egress,aws,' "$T/init_aws/gateways.csv"
mkdir -p "$T/init_part" && echo keep >"$T/init_part/scenarios.csv"
run_nc init_partial init "$T/init_part"
expect init_partial 73 "scenarios.csv already exists"
check "init refused: nothing else written" test ! -e "$T/init_part/gateways.csv"
run_nc init_onfile init "$T/afile"
expect init_onfile 73
run_nc init_nodir init
expect init_nodir 64 "no directory given"
run_nc init_badpreset init --preset gpc "$T/init_bad"
expect init_badpreset 64 "did you mean 'gcp'?"
check "init --preset typo: nothing made" test ! -e "$T/init_bad"

# ------------------------------------------------ make install / uninstall
if command -v make >/dev/null 2>&1 && [ -f Makefile ]; then
    stage="$T/stage"
    if make -s install DESTDIR="$stage" PREFIX=/usr \
        >"$T/install.out" 2>&1; then
        ok "make install DESTDIR=... PREFIX=/usr"
    else
        nok "make install" "$(tail -5 "$T/install.out")"
    fi
    check "install: the binary" test -x "$stage/usr/bin/natcap"
    check "install: the man page" test -s "$stage/usr/share/man/man1/natcap.1"
    check "install: man page names this prefix's examples" \
        grep -q '/usr/share/natcap/examples/incident' "$stage/usr/share/man/man1/natcap.1"
    check "man page: mandoc -T lint clean" mandoc -T lint -W warning "$stage/usr/share/man/man1/natcap.1"
    check "man page: has every section" sh -c "for s in NAME SYNOPSIS COMMANDS OPTIONS FILES ENVIRONMENT 'EXIT STATUS' EXAMPLES; do grep -q \"^.Sh \$s\" '$stage/usr/share/man/man1/natcap.1' || exit 1; done"
    ex="$stage/usr/share/natcap/examples/incident"
    check "install: the example inputs" test -s "$ex/gateways.csv"
    run_nc validate_example validate -q -i "$ex"
    expect validate_example 0
    if make -s uninstall DESTDIR="$stage" PREFIX=/usr >"$T/uninstall.out" 2>&1; then
        ok "make uninstall"
    else
        nok "make uninstall" "$(tail -5 "$T/uninstall.out")"
    fi
    check "uninstall: no file left" test -z "$(find "$stage" -type f)"
    check "uninstall: no natcap directory left" test ! -e "$stage/usr/share/natcap"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
