#!/bin/sh
# e2e_hostile.sh - natcap against hostile inputs and a hostile environment (issue 5).
#
#   NATCAP=/abs/path/natcap sh tests/e2e_hostile.sh      (from the repository root)
#
# 1. The bad-input catalogue tests/bad_inputs.tsv: each case is tests/e2e/hostile-base
#    with one file replaced; `natcap run` must exit 65 with one line
#    "natcap: DIR/FILE:LINE: column 'COL': ..." and leave the output directory (a
#    previous run's results) exactly as it was, and a missing one uncreated.
# 2. Signals: SIGINT / SIGTERM during the simulation and during the writing of the
#    results: exit 130 / 143 within a few seconds, one line on stderr, the previous
#    results byte-identical, no temporary file or new directory left.
# 3. Write failures: the output path is a file or lies below one, a read-only output
#    directory, a full disk (a 64 KiB tmpfs), a file size limit (ulimit -f), stdout
#    on /dev/full: exit 73 or 74 naming the path, nothing partial left.  The mounts
#    need root; without root those cases are skipped, saying so.
# 4. Symbolic links planted in the output directory (a result file, a scenario
#    directory, the exact temporary name): never followed, their targets untouched.
#
# NATCAP may be a wrapper (tests/valgrind-natcap.sh); NATCAP_SLOW=1 loosens the time
# limits for it.  VERBOSE=1 prints every passing check.  The last line is
# "N passed, M skipped, 0 failed" (M skipped omitted when 0); exit 1 on any failure.
set -u
: "${NATCAP:?set NATCAP to the absolute path of the natcap binary}"
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
base=$root/tests/e2e/hostile-base
slow=${NATCAP_SLOW:-0}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/natcap-hostile.XXXXXX") || exit 1
mounts=""
pass=0
skip=0
fail=0
tab=$(printf '\t')

cleanup() {
    for m in $mounts; do umount "$m" 2>/dev/null; done
    chmod -R u+rwX "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() {
    pass=$((pass + 1))
    [ -n "${VERBOSE:-}" ] && echo "ok - $1"
    return 0
}
bad() {
    fail=$((fail + 1))
    echo "FAIL - $1" >&2
    shift
    for l in "$@"; do echo "    $l" >&2; done
    if [ -s "$tmp/err" ]; then sed 's/^/    stderr: /' "$tmp/err" | head -5 >&2; fi
    return 0
}
skipped() {
    skip=$((skip + 1))
    echo "skip - $1: $2"
}

# snap DIR [strict]: every entry with type, inode, mode, size, link target and
# checksum; files and links with their mtime; directories' mtimes only when strict
# (creating and removing a temporary file changes its directory's mtime).
snap() {
    (
        cd "$1" || exit 1
        find . ! -type d -printf '%p %y %i %m %s %T@ %l\n'
        if [ "${2:-}" = strict ]; then
            find . -type d -printf '%p %y %i %m %T@\n'
        else
            find . -type d -printf '%p %y %i %m\n'
        fi
        find . -type f -exec cksum {} +
    ) | LC_ALL=C sort
}

# leftovers DIR: temporary files natcap may have left
leftovers() {
    find "$1" -name '*.natcap-tmp*' 2>/dev/null
}

# run_natcap ARGS...: run with stdin closed, stdout/stderr to $tmp/out, $tmp/err; rc in $rc
run_natcap() {
    "$NATCAP" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# one_line PREFIX: stderr is exactly one line starting with PREFIX
one_line() {
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || return 1
    case $(cat "$tmp/err") in
    "$1"*) return 0 ;;
    esac
    return 1
}

now_ms() {
    date +%s%3N
}

# ---------------------------------------------------------------- previous results

prev=$tmp/prev
run_natcap run -q -i "$base" -o "$prev"
if [ "$rc" -ne 0 ] || [ ! -f "$prev/summary.csv" ] || [ ! -f "$prev/base/timeseries.csv" ]; then
    bad "baseline run of tests/e2e/hostile-base" "exit $rc"
    echo "$pass passed, $skip skipped, $fail failed"
    exit 1
fi
ok "baseline run of tests/e2e/hostile-base"
. "$(dirname "$0")/conserve.sh"
if conserved run -o "$prev" >"$tmp/cons"; then ok "baseline run: counts add up to summary.csv"
else bad "baseline run: counts do not add up" "$(cat "$tmp/cons")"; fi

# fresh_out NAME: a copy of the previous results at $tmp/NAME (inodes differ from $prev)
fresh_out() {
    rm -rf "${tmp:?}/$1"
    cp -a "$prev" "$tmp/$1"
}

# ---------------------------------------------------------------- 1. bad-input catalogue

fresh_out catout
snap "$tmp/catout" strict >"$tmp/catout.snap"
grep -v '^#' tests/bad_inputs.tsv | tail -n +2 >"$tmp/cases"
n=0
while IFS="$tab" read -r class file content line col what; do
    n=$((n + 1))
    name="catalogue $n $class ($file: $what)"
    d=$tmp/case
    rm -rf "$d"
    cp -R "$base" "$d"
    case $content in
    "<empty>") : >"$d/$file" ;;
    "<absent>") rm -f "$d/$file" ;;
    "<big>") yes 'web,gw,api,4,10,day' | head -c 68157440 >"$d/$file" ;;
    *) printf '%b' "$content" >"$d/$file" ;;
    esac
    if [ "$line" = 0 ]; then
        prefix="natcap: $d/$file: "
    else
        prefix="natcap: $d/$file:$line: "
    fi
    [ "$col" != "-" ] && prefix="${prefix}column '$col': "
    run_natcap run -q -i "$d" -o "$tmp/catout"
    if [ "$rc" -ne 65 ]; then
        bad "$name" "exit $rc, expected 65"
    elif ! one_line "$prefix"; then
        bad "$name" "expected one line starting: $prefix"
    elif [ "$col" = "-" ] && one_line "${prefix}column '"; then
        bad "$name" "a column is named; expected none"
    elif ! snap "$tmp/catout" strict | cmp -s - "$tmp/catout.snap"; then
        bad "$name" "the output directory changed"
    else
        ok "$name"
    fi
    rm -f "$d/$file"
done <"$tmp/cases"
[ "$n" -ge 60 ] && ok "catalogue has $n cases" || bad "catalogue has only $n cases"

# a bad input does not even create a missing output directory
cp -R "$base" "$tmp/case2"
printf 'service,gateway,destination,instances,rps,profile\nweb,gw,api,4,fast,day\n' \
    >"$tmp/case2/services.csv"
run_natcap run -q -i "$tmp/case2" -o "$tmp/never/created"
if [ "$rc" -eq 65 ] && [ ! -e "$tmp/never" ]; then
    ok "bad input: no output directory created"
else
    bad "bad input: no output directory created" "exit $rc"
fi
run_natcap validate -i "$tmp/case2"
if [ "$rc" -eq 65 ] && one_line "natcap: $tmp/case2/services.csv:2: column 'rps': "; then
    ok "validate: exit 65 with file:line:column"
else
    bad "validate: exit 65 with file:line:column" "exit $rc"
fi

# an undefined name that is a typo of a defined one is suggested; a far one is not
for c in 'gateway gw:gx wx' 'destination api:apj zzz' 'profile day:dya evening'; do
    col=${c%% *}; rest=${c#* }; good=${rest%%:*}; rest=${rest#*:}; typo=${rest% *}; far=${rest#* }
    for w in "$typo" "$far"; do
        case $col in
        gateway) row="web,$w,api,4,10,day" ;;
        destination) row="web,gw,$w,4,10,day" ;;
        profile) row="web,gw,api,4,10,$w" ;;
        esac
        printf 'service,gateway,destination,instances,rps,profile\n%s\n' "$row" >"$tmp/case2/services.csv"
        run_natcap validate -i "$tmp/case2"
        if [ "$w" = "$typo" ]; then
            msg="$col '$w' is not defined in"
            if [ "$rc" -eq 65 ] && one_line "natcap: $tmp/case2/services.csv:2: column '$col': $msg" &&
                grep -q "(did you mean '$good'?)\$" "$tmp/err"; then
                ok "undefined $col '$w': did you mean '$good'"
            else bad "undefined $col '$w': did you mean '$good'" "exit $rc: $(cat "$tmp/err")"; fi
        elif [ "$rc" -eq 65 ] && ! grep -q "did you mean" "$tmp/err"; then
            ok "undefined $col '$w': no suggestion"
        else bad "undefined $col '$w': no suggestion" "exit $rc: $(cat "$tmp/err")"; fi
    done
done

# ---------------------------------------------------------------- 2. signals

# A run that simulates for several seconds: 2 replications of a day at 1600 requests/s.
sig_in=$tmp/slow
cp -R "$base" "$sig_in"
printf 'scenario,duration_h,warmup_h,replications,seed,sample_s\nslow,24,0,2,1,60\n' \
    >"$sig_in/scenarios.csv"
printf 'service,gateway,destination,instances,rps,profile\nweb,gw,api,4,400,day\n' \
    >"$sig_in/services.csv"

# wait_workers PID: until natcap's worker threads run (the simulation has started)
wait_workers() {
    i=0
    while [ $i -lt 600 ]; do
        kill -0 "$1" 2>/dev/null || return 1
        t=$(ls "/proc/$1/task" 2>/dev/null | wc -l)
        [ "$t" -ge 3 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# signal_test SIG CODE PHASE [CMD]: PHASE sim (after the workers start) or write (when
# the first temporary result file appears); CMD run (default) or plan
signal_test() {
    sig=$1
    want=$2
    phase=$3
    cmd=${4:-run}
    name="SIG$sig during the $phase phase of $cmd"
    fresh_out sigout
    if [ "$phase" = sim ]; then
        snap "$tmp/sigout" strict >"$tmp/sigout.snap"
        "$NATCAP" "$cmd" -q -j 2 -i "$sig_in" -o "$tmp/sigout" </dev/null >"$tmp/out" 2>"$tmp/err" &
        pid=$!
        if ! wait_workers $pid; then
            wait $pid
            bad "$name" "the simulation did not start (exit $?)"
            return
        fi
        sleep 1
    else
        snap "$tmp/sigout" >"$tmp/sigout.snap"
        "$NATCAP" run -q -j 2 --format png,pdf,svg -i "$tmp/many" -o "$tmp/sigout" \
            </dev/null >"$tmp/out" 2>"$tmp/err" &
        pid=$!
        i=0
        while [ $i -lt 6000 ] && kill -0 $pid 2>/dev/null && [ -z "$(leftovers "$tmp/sigout")" ]; do
            sleep 0.01
            i=$((i + 1))
        done
        if [ -z "$(leftovers "$tmp/sigout")" ]; then
            wait $pid
            bad "$name" "no temporary file seen (exit $?)"
            return
        fi
    fi
    t0=$(now_ms)
    kill -"$sig" $pid
    wait $pid
    rc=$?
    dt=$(($(now_ms) - t0))
    limit=3000
    # Under valgrind a stop waits for the slowest emulated thread to reach its
    # next check and for the leak check at exit; seen up to ~100 s on 2 cores.
    # Promptness is asserted by the native run (3 s); here only correctness.
    [ "$slow" = 1 ] && limit=300000
    if [ $rc -ne "$want" ]; then
        bad "$name" "exit $rc, expected $want"
    elif ! one_line "natcap: interrupted by SIG$sig; previous results left as they were"; then
        bad "$name" "expected the one-line interrupted message"
    elif [ $dt -gt $limit ]; then
        bad "$name" "took $dt ms to stop (limit $limit ms)"
    elif [ -n "$(leftovers "$tmp/sigout")" ]; then
        bad "$name" "temporary files left: $(leftovers "$tmp/sigout" | head -3)"
    elif ! snap "$tmp/sigout" "$([ "$phase" = sim ] && echo strict)" | cmp -s - "$tmp/sigout.snap"; then
        bad "$name" "the previous results changed"
    else
        ok "$name (stopped in $dt ms)"
    fi
}

# Many short scenarios, so that writing the results takes a while.
many=$tmp/many
cp -R "$base" "$many"
{
    echo 'scenario,duration_h,warmup_h,replications,seed,sample_s'
    i=1
    while [ $i -le 40 ]; do
        echo "s$i,0.5,0,1,$i,60"
        i=$((i + 1))
    done
} >"$many/scenarios.csv"

if [ -d /proc/self/task ]; then
    signal_test INT 130 sim
    signal_test TERM 143 sim
    signal_test TERM 143 write
    signal_test INT 130 write
    if "$NATCAP" plan -q -i "$base" -o "$tmp/planprobe" </dev/null >/dev/null 2>&1; then
        signal_test TERM 143 sim plan
        signal_test INT 130 sim plan
    else
        skipped "signals during plan" "natcap plan is not available in this build"
    fi
else
    skipped "signals" "no /proc/PID/task to see when the simulation starts"
fi

# ---------------------------------------------------------------- 3. write failures

# write_fail NAME WANT OUTDIR SNAPDIR ARGS...: run base into OUTDIR; expect WANT, one
# line naming OUTDIR, SNAPDIR unchanged (non-strict) and no temporaries in it
write_fail() {
    name=$1
    want=$2
    o=$3
    sd=$4
    shift 4
    snap "$sd" >"$tmp/wf.snap"
    run_natcap run -q -i "$base" -o "$o" "$@"
    if [ $rc -ne "$want" ]; then
        bad "$name" "exit $rc, expected $want"
    elif ! one_line "natcap: " || ! grep -qF "$o" "$tmp/err"; then
        bad "$name" "expected one line naming $o"
    elif [ -n "$(leftovers "$sd")" ]; then
        bad "$name" "temporary files left"
    elif ! snap "$sd" | cmp -s - "$tmp/wf.snap"; then
        bad "$name" "the previous contents changed"
    else
        ok "$name"
    fi
}

mkdir "$tmp/wf"
printf 'not a directory\n' >"$tmp/wf/afile"
write_fail "output path is a file" 73 "$tmp/wf/afile" "$tmp/wf"
write_fail "output path below a file" 73 "$tmp/wf/afile/sub" "$tmp/wf"

# ulimit -f: writes past 32 KiB fail with EFBIG, with SIGXFSZ ignored by the shell
# and without (natcap ignores it itself)
fresh_out fsize
snap "$tmp/fsize" >"$tmp/fsize.snap"
for how in ignored default; do
    name="file size limit (ulimit -f, SIGXFSZ $how)"
    (
        ulimit -f 64 || exit 99
        [ $how = ignored ] && trap '' XFSZ
        exec "$NATCAP" run -q -i "$base" -o "$tmp/fsize"
    ) </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 99 ]; then
        skipped "$name" "ulimit -f not available"
    elif [ $rc -ne 74 ]; then
        bad "$name" "exit $rc, expected 74"
    elif ! one_line "natcap: " || ! grep -qF "$tmp/fsize" "$tmp/err"; then
        bad "$name" "expected one line naming $tmp/fsize"
    elif [ -n "$(leftovers "$tmp/fsize")" ]; then
        bad "$name" "temporary files left"
    elif ! snap "$tmp/fsize" | cmp -s - "$tmp/fsize.snap"; then
        bad "$name" "the previous results changed"
    else
        ok "$name"
    fi
done

# stdout on a full device: the summary table cannot be written
if [ -w /dev/full ]; then
    "$NATCAP" validate -i "$base" </dev/null >/dev/full 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 74 ] && one_line "natcap: " && grep -q 'standard output' "$tmp/err"; then
        ok "stdout on /dev/full: exit 74"
    else
        bad "stdout on /dev/full: exit 74" "exit $rc"
    fi
else
    skipped "stdout on /dev/full" "no writable /dev/full"
fi

# try_mount DIR OPTIONS: a tmpfs at DIR (root only); 0 when mounted
try_mount() {
    [ "$(id -u)" = 0 ] || return 1
    mkdir -p "$1"
    mount -t tmpfs -o "$2" natcap-test "$1" 2>/dev/null || return 1
    mounts="$1 $mounts"
    return 0
}

# full disk: a 64 KiB tmpfs holding last week's summary.csv
if try_mount "$tmp/full" size=64k; then
    printf 'scenario,gateway\nlast-week,egress\n' >"$tmp/full/summary.csv"
    mkdir "$tmp/full/base"
    printf 'time,t_s\n' >"$tmp/full/base/timeseries.csv"
    write_fail "full disk (64 KiB tmpfs)" 74 "$tmp/full" "$tmp/full"
    grep -q 'No space left on device' "$tmp/err" && ok "full disk: the message says why" ||
        bad "full disk: the message says why"
else
    skipped "full disk" "needs root and mount (tmpfs) permission"
fi

# read-only output directory and a missing one that cannot be created: a tmpfs
# remounted read-only as root (root ignores permissions), chmod 555 otherwise
if [ "$(id -u)" != 0 ]; then
    fresh_out ro
    chmod 555 "$tmp/ro"
    write_fail "read-only output directory" 73 "$tmp/ro" "$tmp/ro"
    chmod 555 "$tmp/wf"
    write_fail "missing output directory that cannot be created" 73 "$tmp/wf/new/sub" "$tmp/wf"
    chmod 755 "$tmp/wf"
elif try_mount "$tmp/ro" size=4m; then
    cp -a "$prev/." "$tmp/ro/"
    if mount -o remount,ro "$tmp/ro" 2>/dev/null; then
        write_fail "read-only output directory (ro tmpfs)" 73 "$tmp/ro" "$tmp/ro"
        write_fail "missing output directory that cannot be created (ro tmpfs)" 73 \
            "$tmp/ro/new/sub" "$tmp/ro"
    else
        skipped "read-only output directory" "cannot remount the tmpfs read-only"
    fi
else
    skipped "read-only output directory" "running as root (permissions are ignored) without mount permission"
fi

# ---------------------------------------------------------------- 4. symbolic links

# a result file replaced by a link to a victim: the victim stays, the link is replaced
fresh_out sym
printf 'precious\n' >"$tmp/victim"
rm "$tmp/sym/summary.csv"
ln -s "$tmp/victim" "$tmp/sym/summary.csv"
run_natcap run -q -i "$base" -o "$tmp/sym"
if [ $rc -ne 0 ]; then
    bad "symlinked summary.csv" "exit $rc"
elif [ "$(cat "$tmp/victim")" != precious ]; then
    bad "symlinked summary.csv" "the link's target was written"
elif [ -L "$tmp/sym/summary.csv" ] || ! grep -q '^scenario,' "$tmp/sym/summary.csv"; then
    bad "symlinked summary.csv" "summary.csv is not a new regular file"
else
    ok "symlinked summary.csv: target untouched, link replaced by the result"
fi

# a scenario directory replaced by a link to a victim directory: not followed
fresh_out sym2
mkdir "$tmp/victimdir"
printf 'keep\n' >"$tmp/victimdir/keep"
snap "$tmp/victimdir" strict >"$tmp/victimdir.snap"
rm -rf "$tmp/sym2/base"
ln -s "$tmp/victimdir" "$tmp/sym2/base"
snap "$tmp/sym2" >"$tmp/sym2.snap"
run_natcap run -q -i "$base" -o "$tmp/sym2"
if [ $rc -ne 73 ]; then
    bad "symlinked scenario directory" "exit $rc, expected 73"
elif ! one_line "natcap: " || ! grep -qF "$tmp/sym2/base" "$tmp/err"; then
    bad "symlinked scenario directory" "expected one line naming $tmp/sym2/base"
elif ! snap "$tmp/victimdir" strict | cmp -s - "$tmp/victimdir.snap"; then
    bad "symlinked scenario directory" "the victim directory changed"
elif [ -n "$(leftovers "$tmp/sym2")" ] || ! snap "$tmp/sym2" | cmp -s - "$tmp/sym2.snap"; then
    bad "symlinked scenario directory" "the output directory changed"
else
    ok "symlinked scenario directory: not followed, exit 73"
fi

# a link planted under the exact temporary name natcap will try first
# (.NAME.natcap-tmp.PID.0; exec keeps the shell's PID)
fresh_out sym3
printf 'precious\n' >"$tmp/victim3"
NATCAP_TMP=$tmp sh -c 'ln -s "$NATCAP_TMP/victim3" "$NATCAP_TMP/sym3/.summary.csv.natcap-tmp.$$.0" &&
    exec "$0" run -q -i "$1" -o "$NATCAP_TMP/sym3"' "$NATCAP" "$base" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
    bad "symlink at the temporary name" "exit $rc"
elif [ "$(cat "$tmp/victim3")" != precious ]; then
    bad "symlink at the temporary name" "the link's target was written"
elif [ "$(find "$tmp/sym3" -maxdepth 1 -type l | wc -l)" -ne 1 ]; then
    bad "symlink at the temporary name" "the planted link was removed (natcap removes only its own files)"
else
    ok "symlink at the temporary name: not followed, left alone"
fi

# ---------------------------------------------------------------- summary

if [ $skip -gt 0 ]; then
    echo "$pass passed, $skip skipped, $fail failed"
else
    echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
