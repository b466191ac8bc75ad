#!/bin/sh
# e2e_shard.sh - natcap run --shard K/N and natcap merge, end to end (issue 7).
#
#   NATCAP=/abs/path/natcap sh tests/e2e_shard.sh     (from the repository root)
#
# Input: tests/e2e/shard (2 scenarios, 5 + 3 replications = 8 units, half-hour
# days).  Runs the batch once with -j1 and once with -j2, then as 4 shards two
# at a time (xargs -P2, and GNU parallel: tests/tools.sh finds it), merges, and compares
# every output file byte for byte (SOURCE_DATE_EPOCH fixes the PDF dates).
# Then the rejections: a missing, a duplicated and a foreign part (other seed,
# other inputs), changed inputs, a damaged part; all exit 65 and name the
# part, and write nothing; so does a part of another format version.  With
# observed.csv (both scenarios compared): run and shards + merge give the
# same files, the comparison with observations included, also with --tz,
# --observed-day or --observed-fold given to the shards or to the merge, and
# when observed.csv names a pool that is not the binding one (its series are
# in the parts; a merge whose observed.csv names a pool the parts lack is
# refused, exit 65).  Also the Slurm / Kubernetes
# environment variables, empty shards (N > units) and bad --shard values.
# Prints "N passed, M failed" last; exits 1 when anything failed.

set -u
NATCAP=${NATCAP:-$(pwd)/natcap}
IN=tests/e2e/shard
T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-shard.XXXXXX")
. "$(dirname "$0")/conserve.sh"
trap 'rm -rf "$T"' EXIT INT TERM
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_STEP \
    JOB_COMPLETION_INDEX
FMT=png,pdf,svg
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

# same_tree REF DIR: the same file names, every file byte-identical.
same_tree() {
    (cd "$1" && find . -type f | LC_ALL=C sort) >"$T/list.ref"
    (cd "$2" && find . -type f | LC_ALL=C sort) >"$T/list.got"
    if ! cmp -s "$T/list.ref" "$T/list.got"; then
        echo "     file lists differ:"
        diff "$T/list.ref" "$T/list.got" | sed 's/^/     /'
        return 1
    fi
    [ -s "$T/list.ref" ] || return 1
    while read -r f; do
        if ! cmp -s "$1/$f" "$2/$f"; then
            echo "     differs: $f"
            return 1
        fi
    done <"$T/list.ref"
    return 0
}

# expect_reject NAME WANT_RC PATTERN CMD...: exit status WANT_RC, stderr
# matching PATTERN (grep -E), and no output directory $T/rej.
expect_reject() {
    name=$1 want=$2 pat=$3
    shift 3
    rm -rf "$T/rej"
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq "$want" ] && grep -Eq -- "$pat" "$T/err" && [ ! -e "$T/rej/summary.csv" ]; then
        ok "$name (exit $rc: $(head -n 1 "$T/err"))"
    else
        ko "$name: exit $rc, want $want and /$pat/; stderr:"
        sed 's/^/     /' "$T/err"
    fi
}

# ---------------------------------------------------------------- reference runs
for j in 1 2; do
    if "$NATCAP" run -q -i "$IN" -o "$T/single$j" --format $FMT -j $j; then
        ok "single run -j$j"
    else
        ko "single run -j$j (exit $?)"
    fi
done
if same_tree "$T/single1" "$T/single2"; then ok "single runs -j1 and -j2 identical"; else ko "-j1 vs -j2"; fi

# ---------------------------------------------------------------- 4 shards, 2 at a time
if printf '%s\n' 0 1 2 3 |
    xargs -P2 -I{} "$NATCAP" run -q -i "$IN" -o "$T/p/{}" --shard {}/4 --format $FMT -j1; then
    ok "4 shards with xargs -P2"
else
    ko "4 shards with xargs -P2"
fi
only=$(ls -A "$T/p/2")
if [ "$only" = "natcap-shard-2-of-4.bin" ]; then
    ok "a shard writes only its part"
else
    ko "shard 2's output directory holds: $only"
fi

if "$NATCAP" merge -q -o "$T/merged" "$T/p/0" "$T/p/1" "$T/p/2" "$T/p/3"; then
    ok "merge of 4 shard directories"
else
    ko "merge (exit $?)"
fi
for j in 1 2; do
    if same_tree "$T/single$j" "$T/merged"; then
        ok "merged outputs byte-identical to the -j$j run ($(wc -l <"$T/list.ref") files)"
    else
        ko "merged outputs differ from the -j$j run"
    fi
done

# part files in any order, options after the operands, stdout table as run's
if "$NATCAP" merge "$T/p/3/natcap-shard-3-of-4.bin" "$T/p/1" "$T/p/0" "$T/p/2" -o "$T/merged2" \
    >"$T/merge.out" && "$NATCAP" run -i "$IN" -o "$T/single3" -j2 --format $FMT >"$T/run.out" &&
    same_tree "$T/single1" "$T/merged2" && cmp -s "$T/merge.out" "$T/run.out"; then
    ok "merge of part files in another order; same summary table as run"
else
    ko "merge of part files in another order"
fi

# merge from another directory: the parts' relative -i is not there; -i points
# at the inputs, and the outputs still name the -i the shards ran with
ROOT=$(pwd)
mkdir -p "$T/elsewhere"
if (cd "$T/elsewhere" && "$NATCAP" merge -q -i "$ROOT/$IN" -o "$T/merged3" "$T/p/0" "$T/p/1" \
    "$T/p/2" "$T/p/3") && same_tree "$T/single1" "$T/merged3"; then
    ok "merge elsewhere with -i DIR"
else
    ko "merge elsewhere with -i DIR"
fi

# ---------------------------------------------------------------- GNU parallel recipe
# GNU parallel by its version: moreutils' `parallel` (on the PATH when moreutils
# is installed without Debian's parallel, or earlier on the PATH) takes none of
# GNU's options.  tests/tools.sh says which one it uses and why.
if PARALLEL=$(sh tests/tools.sh parallel); then
    if "$PARALLEL" -j2 --halt now,fail=1 "$NATCAP" run -q -i "$IN" -o "$T/shared" --shard {}/4 \
        --format $FMT ::: 0 1 2 3 && "$NATCAP" merge -q -o "$T/merged4" "$T/shared" &&
        same_tree "$T/single1" "$T/merged4"; then
        ok "GNU parallel recipe ($PARALLEL): 4 shards into one directory, merge, identical"
    else
        ko "GNU parallel recipe ($PARALLEL)"
    fi
else
    ko "GNU parallel recipe: no GNU parallel (sh scripts/deps.sh test installs it)"
fi

# ---------------------------------------------------------------- rejections
expect_reject "missing part rejected" 65 "natcap-shard-2-of-4\.bin" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/p/1" "$T/p/3"
expect_reject "duplicated part rejected" 65 "p/2/natcap-shard-2-of-4\.bin.*given twice" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/p/1" "$T/p/2" "$T/p/2/natcap-shard-2-of-4.bin" "$T/p/3"

"$NATCAP" run -q -i "$IN" -o "$T/seed" --shard 2/4 --seed 99 -j1
expect_reject "foreign part (other --seed) rejected" 65 "seed/natcap-shard-2-of-4\.bin.*--seed 99" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/p/1" "$T/seed" "$T/p/3"

mkdir -p "$T/other"
cp "$IN"/*.csv "$T/other/"
sed 's/^web,egress,api,4,6,0$/web,egress,api,4,7,0/' "$IN/services.csv" >"$T/other/services.csv"
"$NATCAP" run -q -i "$T/other" -o "$T/foreign" --shard 1/4 -j1
expect_reject "foreign part (other inputs) rejected" 65 "foreign/natcap-shard-1-of-4\.bin.*other input files" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/foreign" "$T/p/2" "$T/p/3"

"$NATCAP" run -q -i "$IN" -o "$T/r2" --shard 3/4 -r 2 -j1
expect_reject "foreign part (other -r) rejected" 65 "r2/natcap-shard-3-of-4\.bin.*-r 2" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/p/1" "$T/p/2" "$T/r2"

"$NATCAP" run -q -i "$IN" -o "$T/n2" --shard 1/2 -j1
expect_reject "part of another split rejected" 65 "n2/natcap-shard-1-of-2\.bin.*different splits" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/p/1" "$T/p/2" "$T/p/3" "$T/n2"

mkdir -p "$T/bad"
cp "$T/p/1/natcap-shard-1-of-4.bin" "$T/bad/"
printf 'X' | dd of="$T/bad/natcap-shard-1-of-4.bin" bs=1 seek=400 conv=notrunc 2>/dev/null
expect_reject "damaged part rejected" 65 "bad/natcap-shard-1-of-4\.bin.*(damaged|checksum)" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/bad" "$T/p/2" "$T/p/3"

printf 'not a part\n' >"$T/junk.bin"
expect_reject "not a part rejected" 65 "junk\.bin.*not a natcap shard part" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/junk.bin"

# inputs changed after the shards ran (parts made from a copy, copy edited)
mkdir -p "$T/moving"
cp "$IN"/*.csv "$T/moving/"
for k in 0 1; do "$NATCAP" run -q -i "$T/moving" -o "$T/mv" --shard $k/2 -j1; done
echo "# edited" >>"$T/moving/gateways.csv"
expect_reject "inputs changed since the shards ran rejected" 65 "moving.*not those the shards ran on" \
    "$NATCAP" merge -q -o "$T/rej" "$T/mv"

expect_reject "merge with -s rejected" 64 "come from the parts" \
    "$NATCAP" merge -q -s busy -o "$T/rej" "$T/p/0"

# ---------------------------------------------------------------- environment
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=4 \
    "$NATCAP" run -q -i "$IN" -o "$T/slurm" --format $FMT -j1 2>"$T/err"
if grep -qx "natcap: shard 1/4 (from SLURM_ARRAY_TASK_ID)" "$T/err" &&
    cmp -s "$T/slurm/natcap-shard-1-of-4.bin" "$T/p/1/natcap-shard-1-of-4.bin"; then
    ok "SLURM_ARRAY_TASK_ID/COUNT select shard 1/4 (part identical to --shard 1/4)"
else
    ko "SLURM_ARRAY_TASK_ID selection:"
    sed 's/^/     /' "$T/err"
fi

# a rerun of one task (sbatch --array=3 … --shards 4): index 3 is shard 3/4
SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_COUNT=1 \
    "$NATCAP" run -q -i "$IN" -o "$T/slurm3" --shards 4 --format $FMT -j1 2>"$T/err"
if grep -qx "natcap: shard 3/4 (from SLURM_ARRAY_TASK_ID)" "$T/err" &&
    cmp -s "$T/slurm3/natcap-shard-3-of-4.bin" "$T/p/3/natcap-shard-3-of-4.bin"; then
    ok "rerun of array task 3 alone with --shards 4 is shard 3/4"
else
    ko "SLURM_ARRAY_TASK_ID with --shards:"
    sed 's/^/     /' "$T/err"
fi
expect_reject "array task rerun without --shards rejected" 64 "give --shards N" \
    env SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_COUNT=1 \
    "$NATCAP" run -q -i "$IN" -o "$T/rej"
expect_reject "1-based array without --shards rejected" 64 "give --shards N" \
    env SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=4 \
    "$NATCAP" run -q -i "$IN" -o "$T/rej"

JOB_COMPLETION_INDEX=2 "$NATCAP" run -q -i "$IN" -o "$T/k8s" --shards 4 --format $FMT -j1 2>"$T/err"
if grep -qx "natcap: shard 2/4 (from JOB_COMPLETION_INDEX)" "$T/err" &&
    cmp -s "$T/k8s/natcap-shard-2-of-4.bin" "$T/p/2/natcap-shard-2-of-4.bin"; then
    ok "JOB_COMPLETION_INDEX with --shards 4 selects shard 2/4"
else
    ko "JOB_COMPLETION_INDEX selection:"
    sed 's/^/     /' "$T/err"
fi

SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=4 \
    "$NATCAP" run -q -i "$IN" -o "$T/explicit" --shard 0/4 -j1 2>"$T/err"
if [ -f "$T/explicit/natcap-shard-0-of-4.bin" ] && [ ! -s "$T/err" ]; then
    ok "--shard wins over SLURM_ARRAY_TASK_ID"
else
    ko "--shard with SLURM_ARRAY_TASK_ID set"
fi

expect_reject "--shards without an index variable rejected" 64 "JOB_COMPLETION_INDEX" \
    "$NATCAP" run -q -i "$IN" -o "$T/rej" --shards 4
expect_reject "JOB_COMPLETION_INDEX beyond --shards rejected" 64 "not a shard of 4" \
    env JOB_COMPLETION_INDEX=4 "$NATCAP" run -q -i "$IN" -o "$T/rej" --shards 4
expect_reject "--shard 4/4 rejected" 64 "K must be below N" \
    "$NATCAP" run -q -i "$IN" -o "$T/rej" --shard 4/4
expect_reject "--shard 0/0 rejected" 64 "--shard" \
    "$NATCAP" run -q -i "$IN" -o "$T/rej" --shard 0/0
expect_reject "--shard x rejected" 64 "--shard" \
    "$NATCAP" run -q -i "$IN" -o "$T/rej" --shard x

# ---------------------------------------------------------------- more shards than units
if printf '%s\n' 0 1 2 3 4 5 6 7 8 9 |
    xargs -P2 -I{} "$NATCAP" run -q -i "$IN" -o "$T/ten" --shard {}/10 --format $FMT -j1 &&
    "$NATCAP" merge -q -o "$T/merged10" "$T/ten" && same_tree "$T/single1" "$T/merged10"; then
    ok "10 shards of 8 units (2 empty): merged outputs identical"
else
    ko "10 shards of 8 units"
fi

# ---------------------------------------------------------------- with observed.csv
# The same batch with observations (SPEC §6) of both scenarios (scenarios.csv
# `observed` yes): shards 0-2 hold baseline's replications, shard 2 straddles
# into busy.  in_use each minute, open every 2 minutes (resampled: stat max
# over two model intervals), alloc_failures each minute.
OBS=$T/obsin
mkdir -p "$OBS"
cp "$IN"/*.csv "$OBS/"
sed 's/^scenario,description,/scenario,observed,description,/; s/^baseline,/baseline,yes,/; s/^busy,/busy,yes,/' \
    "$IN/scenarios.csv" >"$OBS/scenarios.csv"
awk 'BEGIN { print "time,gateway,metric,value,interval_s,stat,source"
    for (k = 0; k < 30; k++) printf "00:%02d:00,egress,in_use,%d,60,max,test gauge\n", k, 1400 + 7 * k
    for (k = 0; k < 30; k += 2) printf "00:%02d:00,egress,open,%d,120,max,\n", k, 9 + k % 3
    for (k = 0; k < 30; k++) printf "00:%02d:00,egress,alloc_failures,%d,60,sum,\n", k, (k > 20 ? 5 : 0) }' \
    >"$OBS/observed.csv"

# compared DIR: the comparison is in every output that carries one
compared() {
    for s in baseline busy; do
        [ "$(wc -l <"$1/$s/observed.csv" 2>/dev/null || echo 0)" -gt 30 ] || return 1
    done
    [ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "observed_mape") c = i }
        NR > 1 && $c != "" { n++ } END { print n + 0 }' "$1/summary.csv")" = 2 ] &&
        grep -q "^## Model vs observed" "$1/report.md"
}

obs_shards() {   # obs_shards DIR [OPTIONS...]: the 4 shards of $OBS into DIR
    dir=$1
    shift
    printf '%s\n' 0 1 2 3 | xargs -P2 -I{} "$NATCAP" run -q -i "$OBS" -o "$dir" --shard {}/4 \
        --format $FMT -j1 "$@"
}
if "$NATCAP" run -q -i "$OBS" -o "$T/obs_single1" --format $FMT -j1 &&
    "$NATCAP" run -q -i "$OBS" -o "$T/obs_single2" --format $FMT -j2 && compared "$T/obs_single1" &&
    same_tree "$T/obs_single1" "$T/obs_single2"; then
    ok "run with observed.csv compares both scenarios; -j1 and -j2 identical"
else
    ko "run with observed.csv"
fi
if obs_shards "$T/obs_parts" && "$NATCAP" merge -o "$T/obs_merged" "$T/obs_parts" >"$T/obs_merge.out" &&
    "$NATCAP" run -i "$OBS" -o "$T/obs_single3" --format $FMT -j2 >"$T/obs_run.out" &&
    compared "$T/obs_merged" && same_tree "$T/obs_single1" "$T/obs_merged" &&
    cmp -s "$T/obs_merge.out" "$T/obs_run.out"; then
    ok "with observed.csv, merge of 4 shards = run: observed.csv, summary, charts, report ($(wc -l <"$T/list.ref") files), stdout"
else
    ko "with observed.csv, merged outputs differ from the run's"
fi

# --tz given to the shards is kept in the parts; given to the merge, it wins
"$NATCAP" run -q -i "$OBS" -o "$T/obs_tz" --format $FMT -j2 --tz +00:05
if ! cmp -s "$T/obs_tz/baseline/observed.csv" "$T/obs_single1/baseline/observed.csv" &&
    obs_shards "$T/obs_tzparts" --tz +00:05 && "$NATCAP" merge -q -o "$T/obs_tzmerged" "$T/obs_tzparts" &&
    same_tree "$T/obs_tz" "$T/obs_tzmerged" &&
    "$NATCAP" merge -q -o "$T/obs_tzmerged2" --tz +00:05 "$T/obs_parts" &&
    same_tree "$T/obs_tz" "$T/obs_tzmerged2"; then
    ok "--tz of the shards used by the merge; --tz given to merge overrides it"
else
    ko "--tz through the parts / to merge"
fi
# parts whose observed.csv options differ are not one batch
rm -rf "$T/obs_mixed" && mkdir -p "$T/obs_mixed"
cp "$T/obs_parts"/natcap-shard-[013]-of-4.bin "$T/obs_tzparts/natcap-shard-2-of-4.bin" "$T/obs_mixed/"
expect_reject "parts run with other --tz rejected" 65 \
    "natcap-shard-2-of-4\.bin: a different batch: observed.csv read with --tz \+00:05, but .*natcap-shard-0-of-4\.bin with --tz \+00:00" \
    "$NATCAP" merge -q -o "$T/rej" "$T/obs_mixed"

# observations of two days: --observed-day given to the shards is kept in the
# parts (without it the merge could not read observed.csv); --observed-fold
# given to the merge wins over it
OBS2=$T/obsin2
mkdir -p "$OBS2"
cp "$OBS"/*.csv "$OBS2/"
awk 'BEGIN { print "time,gateway,metric,value,stat"
    for (d = 30; d <= 31; d++) for (k = 0; k < 30; k++)
        printf "2026-11-%02dT00:%02d:00Z,egress,in_use,%d,max\n", d, k, 1300 + 11 * k - 50 * (d - 30) }' |
    sed 's/2026-11-31/2026-12-01/' >"$OBS2/observed.csv"
"$NATCAP" run -q -i "$OBS2" -o "$T/obs_day" --format $FMT -j2 --observed-day 2026-12-01
"$NATCAP" run -q -i "$OBS2" -o "$T/obs_fold" --format $FMT -j2 --observed-fold max
rm -f "$T/dayparts"/*.bin
printf '%s\n' 0 1 2 3 | xargs -P2 -I{} "$NATCAP" run -q -i "$OBS2" -o "$T/dayparts" --shard {}/4 \
    --format $FMT -j1 --observed-day 2026-12-01
if compared "$T/obs_day" && ! cmp -s "$T/obs_day/baseline/observed.csv" "$T/obs_fold/baseline/observed.csv" &&
    "$NATCAP" merge -q -o "$T/obs_daymerged" "$T/dayparts" && same_tree "$T/obs_day" "$T/obs_daymerged" &&
    "$NATCAP" merge -q -o "$T/obs_foldmerged" --observed-fold max "$T/dayparts" &&
    same_tree "$T/obs_fold" "$T/obs_foldmerged"; then
    ok "--observed-day of the shards used by the merge; --observed-fold given to merge overrides it"
else
    ko "--observed-day through the parts / --observed-fold to merge"
fi

# ---------------------------------------------------------------- observed.csv naming a pool
# observed.csv's pool column names a pool that is not the binding one
# (tests/observed/pools: binding hot#1, observed cold#2; 4 replications, so 3
# shards hold 1, 1 and 2): every shard records that pool's own series in its
# part, and the merge compares with them as the run does.  Observed levels:
# cold#2's expected 61.2 in use (3 new/s x 20.4 s, Little's law) and 180 new
# connections a minute, and 30 refused SYNs a minute (it refuses none: 1000
# ports); any values would do, the run is the reference.
PL=$T/poolin
mkdir -p "$PL"
cp tests/observed/pools/*.csv "$PL/"
# pool_obs DIR POOL...: observed.csv of every minute of the hour, for each POOL
pool_obs() {
    dir=$1
    shift
    for p in "$@"; do
        awk -v p="$p" 'BEGIN { for (k = 0; k < 60; k++) {
            printf "00:%02d,nat,in_use,61,mean,%s,test\n", k, p
            printf "00:%02d,nat,new_connections,180,sum,%s,test\n", k, p
            printf "00:%02d,nat,alloc_failures,%d,sum,%s,test\n", k, k < 30 ? 0 : 30, p } }'
    done | { echo "time,gateway,metric,value,stat,pool,source"; cat; } >"$dir/observed.csv"
}
pool_obs "$PL" 'cold#2'
# pool_compared DIR: cold#2 compared in observed.csv, and observed_mape not blank
pool_compared() {
    [ "$(awk -F, 'NR > 1 && $4 == "cold#2"' "$1/baseline/observed.csv" | wc -l)" = 180 ] &&
        [ -n "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "observed_mape") c = i }
            NR == 2 { print $c }' "$1/summary.csv")" ] &&
        grep -q "^## Model vs observed" "$1/report.md"
}
"$NATCAP" run -i "$PL" -o "$T/pool_run" --format $FMT -j2 >"$T/pool_run.out"
for k in 0 1 2; do "$NATCAP" run -q -i "$PL" -o "$T/pool_parts" --shard $k/3 --format $FMT -j1; done
if "$NATCAP" merge -o "$T/pool_merged" "$T/pool_parts" >"$T/pool_merge.out" &&
    pool_compared "$T/pool_run" && same_tree "$T/pool_run" "$T/pool_merged" &&
    cmp -s "$T/pool_run.out" "$T/pool_merge.out"; then
    ok "observed.csv naming non-binding pool cold#2: merge of 3 shards = run (csv, md, json, charts: $(wc -l <"$T/list.ref") files), stdout"
else
    ko "observed.csv naming a non-binding pool: merged outputs differ from the run's"
    diff "$T/pool_run/summary.csv" "$T/pool_merged/summary.csv" 2>&1 | sed 's/^/     /' | head -n 6
fi
# the merge's observed.csv names a pool the shards did not record (observed.csv
# is not part of the inputs hash): refused, not compared with other data
PL2=$T/poolin2
mkdir -p "$PL2"
cp tests/observed/pools/*.csv "$PL2/"
pool_obs "$PL2" 'cold#1' 'cold#2'
expect_reject "observed.csv naming a pool the parts did not record rejected" 65 \
    "poolin2/observed\.csv:2: column 'pool': pool \"cold#1\" of gateway 'nat' .*not recorded by the shards .*pool_parts/natcap-shard-0-of-3\.bin.*run the shards again" \
    "$NATCAP" merge -q -i "$PL2" -o "$T/rej" "$T/pool_parts"
# parts that recorded more pools than the merge's observed.csv names (shards
# run with cold#1 and cold#2, observed.csv then cut to cold#2): the others are
# skipped, the merge = the run with the merge's observed.csv
for k in 0 1 2; do "$NATCAP" run -q -i "$PL2" -o "$T/pool_parts2" --shard $k/3 --format $FMT -j1; done
cp "$PL/observed.csv" "$PL2/observed.csv"
if "$NATCAP" run -q -i "$PL2" -o "$T/pool_run2" --format $FMT -j2 &&
    "$NATCAP" merge -q -o "$T/pool_merged2" "$T/pool_parts2" &&
    pool_compared "$T/pool_run2" && same_tree "$T/pool_run2" "$T/pool_merged2"; then
    ok "parts recording cold#1 and cold#2, merged with an observed.csv naming cold#2 only = run"
else
    ko "parts with more pools than the merge's observed.csv names"
fi

# a part of another format version (the field patched to 2, the format
# before the per-replication samples): refused by name, before its checksum
mkdir -p "$T/old"
cp "$T/p/1/natcap-shard-1-of-4.bin" "$T/old/"
printf '\002' | dd of="$T/old/natcap-shard-1-of-4.bin" bs=1 seek=8 conv=notrunc 2>/dev/null
expect_reject "part of format 2 rejected" 65 \
    "old/natcap-shard-1-of-4\.bin: a shard part of format 2, written by natcap .*reads format 3" \
    "$NATCAP" merge -q -o "$T/rej" "$T/p/0" "$T/old" "$T/p/2" "$T/p/3"

# every run and merge above that wrote results: counts add up (tests/conserve.sh)
if conserved_all "$T" >"$T/cons"; then ok "counts add up to summary.csv in every result"
else ko "counts do not add up:"; sed 's/^/     /' "$T/cons"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
