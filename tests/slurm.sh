#!/bin/sh
# slurm.sh - the README's Slurm recipe on a real, throw-away single-node cluster.
#
#   NATCAP=/abs/path/natcap sh tests/slurm.sh      (from the repository root;
#                                                  `make test-slurm` installs
#                                                  slurm-wlm and munge first)
#
# Starts munged, slurmctld and slurmd on localhost in the foreground (put in
# the background here), with their keys, configuration, spool, state and logs
# in a temporary directory and on free ports, so nothing of the machine's own
# Slurm or MUNGE is used or changed.  Then, in a submit directory holding
# inputs/ (tests/e2e/shard: 8 units):
#   - the README's sbatch script, cut out of README.md between its marker and
#     the end of the code block, as it is, into natcap-shards.sbatch;
#   - the README's submit block, as it is, with an `sbatch` first on the PATH
#     that adds --array=0-3%2 when it submits natcap-shards.sbatch (a
#     command-line option overrides the script's `#SBATCH --array=0-31%8`;
#     sbatch's SBATCH_ARRAY_INX would make the merge job an array too), so the
#     array is 4 tasks, 2 at a time; the node offers 8 CPUs so that two tasks
#     of the script's --cpus-per-task=4 fit side by side;
#   - waits for the array and the merge job, checks every task completed,
#     the parts 0..3 of 4, the logs, and that outputs/ equals a single
#     `natcap run` of the same inputs byte for byte.
# The daemons are stopped by pid at the end, success or not (and any job
# process left in the temporary directory); on failure their logs are
# printed.  Every wait is bounded: the whole run stops within about 150 s.
# Runs as root (CI does): SlurmUser and SlurmdUser are the running user, and
# munged's key and directories are that user's with mode 0700/0600.
# Prints "N passed, M failed" last; exits 1 when anything failed.

set -u
NATCAP=${NATCAP:-$(pwd)/natcap}
README=${README:-README.md}
IN=tests/e2e/shard
T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-slurm.XXXXXX")
# munged wants its socket's directory and every one above it searchable by all
chmod 711 "$T"
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_STEP \
    JOB_COMPLETION_INDEX SLURM_JOB_ID SBATCH_ARRAY_INX
pass=0
fail=0
pids=""
start=$(date +%s)
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
elapsed() { echo $(($(date +%s) - start)); }

# ---------------------------------------------------------------- cleanup
show_logs() {
    for f in "$T"/munge/munged.log "$T"/slurmctld.log "$T"/slurmd.log "$T"/*.out "$T"/submit/logs/* \
        "$T"/submit/slurm-*.out; do
        [ -s "$f" ] || continue
        # a daemon's stderr repeats its log file once that is open
        case $f in */slurmctld.out | */slurmd.out) [ -s "${f%.out}.log" ] && continue ;; esac
        echo "----- ${f#"$T"/} (last 40 lines)"
        tail -n 40 "$f"
    done
}
stop_pid() { # stop_pid PID: TERM (and CONT, were it stopped), up to 10 s, then KILL
    kill -TERM "$1" 2>/dev/null || return 0
    kill -CONT "$1" 2>/dev/null
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$pids" ]; then
        # jobs still queued or running: cancel them while slurmctld is up
        [ -n "${real_scancel:-}" ] && timeout 5 "$real_scancel" --quiet --full --user="$(id -un)" 2>/dev/null
        for p in $pids; do stop_pid "$p"; done
    fi
    # job steps (slurmstepd and natcap) that outlived slurmd: the processes
    # whose working directory is inside $T, by pid
    for d in /proc/[0-9]*; do
        case $(readlink "$d/cwd" 2>/dev/null) in
        "$T"|"$T"/*) kill -KILL "${d#/proc/}" 2>/dev/null ;;
        esac
    done
    if [ "$fail" -ne 0 ] || [ "${1:-0}" != 0 ]; then show_logs; fi
    rm -rf "$T"
}
# the summary line comes last, after the logs
trap 'rc=$?; cleanup $rc; echo "slurm: $(elapsed) s"; echo "$pass passed, $fail failed"; exit $rc' EXIT
trap 'ko "interrupted after $(elapsed) s"; exit 1' INT TERM

die() { # die MESSAGE: count a failure and stop (the EXIT trap cleans up)
    ko "$1"
    exit 1
}

# wait_for SECS WHAT CMD...: poll CMD every 0.5 s until it succeeds; fail when
# SECS pass or when a daemon has died
wait_for() {
    secs=$1 what=$2
    shift 2
    until=$(($(date +%s) + secs))
    while ! "$@" >/dev/null 2>&1; do
        for p in $pids; do
            kill -0 "$p" 2>/dev/null || die "$what: daemon pid $p ($(cat "$T/name.$p" 2>/dev/null)) exited"
        done
        [ "$(date +%s)" -lt "$until" ] || die "$what: not within $secs s"
        sleep 0.5
    done
}

# daemon NAME CMD...: start CMD in the background, output to $T/NAME.out
daemon() {
    name=$1
    shift
    "$@" >"$T/$name.out" 2>&1 </dev/null &
    pids="$pids $!"
    echo "$name" >"$T/name.$!"
}

# ---------------------------------------------------------------- tools
for t in munged munge unmunge slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
    command -v $t >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
    command -v $t >/dev/null 2>&1 || die "$t not found: install slurm-wlm and munge (make test-slurm does)"
done
echo "slurm: $(dpkg-query -W -f='slurm-wlm ${Version}' slurm-wlm 2>/dev/null), $(munged --version 2>&1 | head -n 1)"
[ -x "$NATCAP" ] || die "no natcap at $NATCAP"

# every client call is bounded: a daemon that hangs (rather than exits) must
# not hang the test
real_sbatch=$(command -v sbatch)
real_scancel=$(command -v scancel)
for t in munge unmunge sbatch squeue scontrol sinfo scancel; do
    eval "$t() { timeout 5 $(command -v $t) \"\$@\"; }"
done

# ---------------------------------------------------------------- munged
host=$(hostname -s)
mkdir -p "$T/munge" "$T/run" "$T/state" "$T/spool/$host" "$T/submit"
chmod 700 "$T/munge"
chmod 755 "$T/run"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 600 "$T/munge/munge.key"
SOCK=$T/run/munge.socket
daemon munged munged --foreground --key-file="$T/munge/munge.key" --socket="$SOCK" \
    --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" \
    --seed-file="$T/munge/munged.seed"
munge_ok() { munge -n -S "$SOCK" | unmunge -S "$SOCK"; }
wait_for 20 "munged answers on its socket" munge_ok
ok "munged up ($(elapsed) s)"

# ---------------------------------------------------------------- slurm.conf
user=$(id -un)
ports=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])') || die "no free ports"
set -- $ports
cat >"$T/slurm.conf" <<EOF
ClusterName=natcaptest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$1
SlurmdPort=$2
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool/%n
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
MessageTimeout=5
MailProg=/bin/true
MinJobAge=600
SchedulerParameters=sched_interval=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=8 Boards=1 SocketsPerBoard=1 CoresPerSocket=8 ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN
PartitionName=natcap Nodes=$host Default=YES MaxTime=10 State=UP
EOF
SLURM_CONF=$T/slurm.conf
export SLURM_CONF

daemon slurmctld slurmctld -D -i -f "$SLURM_CONF"
wait_for 30 "slurmctld answers" sh -c 'scontrol ping | grep -q "is UP"'
ok "slurmctld up ($(elapsed) s)"
daemon slurmd slurmd -D -f "$SLURM_CONF" -N "$host"
node_idle() { sinfo -h -N -o %T | grep -qx idle; }
wait_for 40 "slurmd registers, node idle" node_idle
ok "slurmd up, node idle ($(elapsed) s)"

# ---------------------------------------------------------------- the README's recipe
# block MARKER: the fenced code block after the line holding MARKER
block() {
    awk -v m="$1" 'index($0, m) { found = 1; next }
        found && !inside && /^```/ { inside = 1; next }
        inside && /^```/ { exit }
        inside { print }' "$README"
}
block "natcap-test: slurm-script" >"$T/submit/natcap-shards.sbatch"
block "natcap-test: slurm-submit" >"$T/submit.sh"
if grep -q '^#SBATCH --array' "$T/submit/natcap-shards.sbatch" && grep -q 'natcap run' "$T/submit/natcap-shards.sbatch" &&
    grep -q 'natcap merge' "$T/submit.sh"; then
    ok "README's sbatch script ($(wc -l <"$T/submit/natcap-shards.sbatch") lines) and submit block ($(wc -l <"$T/submit.sh") lines) extracted"
else
    die "README.md: no sbatch script / submit block after the natcap-test markers"
fi

mkdir -p "$T/bin"
ln -s "$NATCAP" "$T/bin/natcap"
cp -r "$IN" "$T/submit/inputs"
# the reference: one natcap run of the same inputs, from the same directory
(cd "$T/submit" && "$NATCAP" run -q -i inputs -o "$T/single" -j2) || die "single natcap run (exit $?)"

# submit: natcap on the PATH as on a cluster; the array made 4 tasks, 2 at a
# time, on sbatch's command line (the script's own #SBATCH lines stay as they are)
cat >"$T/bin/sbatch" <<EOF
#!/bin/sh
for a; do
    [ "\$a" = natcap-shards.sbatch ] && exec timeout 20 "$real_sbatch" --array=0-3%2 "\$@"
done
exec timeout 20 "$real_sbatch" "\$@"
EOF
chmod 755 "$T/bin/sbatch"
if (cd "$T/submit" && PATH=$T/bin:$PATH sh -eu "$T/submit.sh") >"$T/submit.out" 2>&1; then
    ok "README's submit block ran ($(tr '\n' ' ' <"$T/submit.out"))"
else
    ko "README's submit block failed:"
    sed 's/^/     /' "$T/submit.out"
fi

# wait until no job is pending or running (bounded; a task that fails leaves
# the merge pending on afterok forever, so look at the states too)
jobs_done() {
    st=$(squeue -h -o %T 2>/dev/null) || return 1
    [ -z "$st" ] && return 0
    # a merge that can never start
    squeue -h -o '%j %r' | grep -q 'natcap-merge DependencyNeverSatisfied' && return 0
    return 1
}
wait_for 90 "the array and the merge job finish" jobs_done
ok "jobs finished ($(elapsed) s)"

# every job's final state (MinJobAge keeps them in slurmctld for 10 min)
scontrol -o show job >"$T/jobs.txt" 2>&1
states=$(sed -n 's/.*JobName=\([^ ]*\).* JobState=\([A-Z_]*\).*/\1 \2/p' "$T/jobs.txt" | LC_ALL=C sort | uniq -c |
    sed 's/^ *//' | tr '\n' ';')
tasks=$(grep -c 'JobName=natcap-shards .*JobState=COMPLETED' "$T/jobs.txt")
merge=$(grep -c 'JobName=natcap-merge .*JobState=COMPLETED' "$T/jobs.txt")
if [ "$tasks" -eq 4 ] && [ "$merge" -eq 1 ]; then
    ok "4 array tasks and the merge job COMPLETED ($states)"
else
    ko "job states: $states"
    sed 's/^/     /' "$T/jobs.txt"
fi
ids=$(grep 'JobName=natcap-shards ' "$T/jobs.txt" | grep ' ArrayTaskThrottle=2 ' |
    sed -n 's/.* ArrayTaskId=\([0-9]*\) .*/\1/p' | LC_ALL=C sort | tr '\n' ' ')
if [ "$ids" = "0 1 2 3 " ] && [ "$(grep -c 'JobName=natcap-merge ' "$T/jobs.txt")" -eq 1 ]; then
    ok "one array of tasks $ids, 2 at a time (ArrayTaskThrottle=2), and one merge job"
else
    ko "array tasks with throttle 2: '$ids'; merge jobs: $(grep -c 'JobName=natcap-merge ' "$T/jobs.txt")"
fi

parts=$(cd "$T/submit/parts" 2>/dev/null && ls | tr '\n' ' ')
if [ "$parts" = "natcap-shard-0-of-4.bin natcap-shard-1-of-4.bin natcap-shard-2-of-4.bin natcap-shard-3-of-4.bin " ]; then
    ok "parts/ holds shards 0..3 of 4"
else
    ko "parts/ holds: $parts"
fi
nlogs=$(ls "$T/submit/logs" 2>/dev/null | grep -c '^natcap-[0-9]*_[0-3]\.out$')
if [ "$nlogs" -eq 4 ] && grep -h '^natcap: shard' "$T/submit/logs"/* | LC_ALL=C sort |
    grep -c '(from SLURM_ARRAY_TASK_ID)' | grep -qx 4; then
    ok "4 task logs in logs/, each shard from SLURM_ARRAY_TASK_ID ($(grep -h '^natcap: shard' "$T/submit/logs"/* | LC_ALL=C sort | cut -d' ' -f3 | tr '\n' ' '))"
else
    ko "task logs in logs/: $nlogs"
fi

# outputs/ equals the single run, file for file, byte for byte
(cd "$T/single" && find . -type f | LC_ALL=C sort) >"$T/list.ref"
(cd "$T/submit/outputs" 2>/dev/null && find . -type f | LC_ALL=C sort) >"$T/list.got"
same=1
if ! cmp -s "$T/list.ref" "$T/list.got" || [ ! -s "$T/list.ref" ]; then
    same=0
    echo "     file lists differ:"
    diff "$T/list.ref" "$T/list.got" | sed 's/^/     /'
else
    while read -r f; do
        cmp -s "$T/single/$f" "$T/submit/outputs/$f" || { same=0; echo "     differs: $f"; }
    done <"$T/list.ref"
fi
if [ $same -eq 1 ]; then
    ok "merged outputs/ byte-identical to a single natcap run ($(wc -l <"$T/list.ref") files)"
else
    ko "merged outputs/ differ from a single natcap run"
fi

# the README's rerun of some tasks: `sbatch --array=3,7 natcap-shards.sbatch
# --shards 32`, here task 2 of 4 alone; its part must be the same file again
if [ -f "$T/submit/parts/natcap-shard-2-of-4.bin" ]; then
    mv "$T/submit/parts/natcap-shard-2-of-4.bin" "$T/part2.bin"
    if jid=$(cd "$T/submit" && PATH=$T/bin:$PATH timeout 20 "$real_sbatch" --parsable --array=2 \
        natcap-shards.sbatch --shards 4 2>&1); then
        rerun_done() { [ -z "$(squeue -h -o %T)" ]; }
        wait_for 60 "the rerun of task 2" rerun_done
        if cmp -s "$T/part2.bin" "$T/submit/parts/natcap-shard-2-of-4.bin" &&
            grep -qx 'natcap: shard 2/4 (from SLURM_ARRAY_TASK_ID)' "$T/submit/logs/natcap-${jid%%;*}_2.out"; then
            ok "rerun of task 2 alone with --shards 4: the same part 2/4"
        else
            ko "rerun of task 2 alone with --shards 4"
            cat "$T/submit/logs/natcap-${jid%%;*}_2.out" 2>/dev/null | sed 's/^/     /'
        fi
    else
        ko "sbatch of the rerun: $jid"
    fi
fi

[ "$fail" -eq 0 ]
