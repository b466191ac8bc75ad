# Sourced by tests/e2e_observed.sh: observed.csv's pool column (SPEC §6).  The
# input set tests/observed/pools has a per-destination gateway whose fullest
# (binding) pool is hot#1; the observations name cold#2, a pool with a tenth of
# its load.  The expected model means come from that pool's own load, not from
# natcap: M(t)/G/inf, mean in use = arrival rate x hold (Little's law).
#   cold#2 gets every other new connection to cold: 2 x 3 / 2 = 3 per s, each
#   held 400 ms (constant, no handshake) + 20 s TIME_WAIT:
#   in_use 3 x 20.4 = 61.2, open 3 x 0.4 = 1.2, new_connections 3 x 60 = 180/min.
# (hot#1, the binding pool: 30 x 20.1 = 603 in use; the gateway: 2160 new/min.)
# Tolerance on the mean over the 60 one-minute points of the model mean (4
# replications): in use is Poisson(61.2) at any instant (an upper bound on the
# variance: alternating cold's connections between its two addresses makes
# each address's arrivals more regular than Poisson) and the points are 60 s
# apart, three holds, so nearly independent: sd <= sqrt(61.2 / 240) = 0.51;
# allowed 4 sd = 2.0.  New connections per minute: Poisson(360) for cold split
# in turn, var <= 180 per point: sd of the mean <= sqrt(180 / 240) = 0.87,
# allowed 3.5.  Open: Poisson(1.2), sd of the mean 0.07, allowed 0.3.

P=$T/pools
mkdir -p "$P"
cp tests/observed/pools/*.csv "$P/"
# pools_obs POOL: observed.csv of zeros for every minute of the hour, for pool POOL,
# plus one point of the binding pool (blank pool)
pools_obs() {
    {
        echo "time,gateway,metric,value,stat,pool,source"
        for ms in in_use:mean new_connections:sum open:last; do
            awk -v m="${ms%%:*}" -v s="${ms##*:}" -v p="$1" 'BEGIN { for (k = 0; k < 60; k++)
                printf "00:%02d,nat,%s,0,%s,%s,test\n", k, m, s, p }'
        done
        echo "00:00,nat,in_use,0,mean,,test"
    } >"$P/observed.csv"
}
pools_obs 'cold#2'
run_nc pools run -i "$P" -o "$T/pools_out" -q --format png
# the unnamed in_use point of this per-destination gateway: a warning says what it is held against
if grep -q "gateway 'nat' has 3 pools: its in_use series names no pool, so it is compared with the fullest one" "$T/pools.err"; then
    ok "several pools: an unnamed level series gets a warning naming the pool count"
else
    nok "several pools: scope warning" "$(cat "$T/pools.err")"
fi
O=$T/pools_out/baseline/observed.csv
# mean of model_mean over the points of METRIC of pool POOL
pmean() { awk -F, -v m="$1" -v p="$2" 'NR > 1 && $5 == m && $4 == p { s += $7; n++ } END { if (n) printf "%.3f", s / n }' "$O"; }
inuse=$(pmean in_use 'cold#2')
newc=$(pmean new_connections 'cold#2')
opn=$(pmean open 'cold#2')
bind=$(pmean in_use '')
if [ "$(cat "$T/pools.rc")" = 0 ] &&
   [ "$(awk -F, -v p='cold#2' 'NR > 1 && $4 == p' "$O" | wc -l)" = 180 ] &&
   awk -v a="$inuse" -v b="$newc" -v c="$opn" -v d="$bind" 'BEGIN {
        exit !(a != "" && a - 61.2 <= 2.0 && 61.2 - a <= 2.0 &&
               b - 180 <= 3.5 && 180 - b <= 3.5 && c - 1.2 <= 0.3 && 1.2 - c <= 0.3 &&
               d > 550) }'; then
    ok "pool column: cold#2 compared with its own series (in_use $inuse ~ 61.2, new/min $newc ~ 180, open $opn ~ 1.2; binding pool $bind)"
else
    nok "pool column: per-pool series" "in_use $inuse (61.2) new $newc (180) open $opn (1.2) binding $bind" \
        "$(cat "$T/pools.err")" "$(sed -n '1,3p' "$O")"
fi
# the pool column of SCENARIO/observed.csv and fit.csv is the pool's name
if grep -q '^00:10:00,600,nat,cold#2,in_use,0,' "$O" && grep -q '^00:00:00,0,nat,,in_use,0,' "$O"; then
    ok "pool column: SCENARIO/observed.csv names the pool (blank for the binding pool)"
else
    nok "pool column in SCENARIO/observed.csv" "$(grep '^00:10:00' "$O")"
fi

# a pool that does not exist on the gateway: exit 65, file:line:column, nothing written
pool_err() {
    title=$1 pool=$2 pat=$3
    pools_obs "$pool"
    name=$(echo "$title" | tr -c 'A-Za-z0-9\n' '_')
    run_nc "$name" run -i "$P" -o "$T/never_pools" -q
    if [ "$(cat "$T/$name.rc")" = 65 ] && grep -qF -- "$pat" "$T/$name.err" && [ ! -e "$T/never_pools" ]; then
        ok "$title"
    else
        nok "$title" "exit $(cat "$T/$name.rc")" "$(cat "$T/$name.err")" "want: $pat"
    fi
}
pool_err "pool column: no such address (did you mean the last one)" 'cold#3' \
    "observed.csv:2: column 'pool': gateway 'nat' has no pool named \"cold#3\" in scenario 'baseline' (pools are named as in summary.csv's binding_pool) (did you mean 'cold#2'?)"
pool_err "pool column: spelled otherwise than binding_pool (case)" 'Cold#1' \
    "column 'pool': gateway 'nat' has no pool named \"Cold#1\" in scenario 'baseline' (pools are named as in summary.csv's binding_pool) (did you mean 'cold#1'?)"
pool_err "pool column: a leading zero is another name" 'hot#01' "no pool named \"hot#01\""
pool_err "pool column: the gateway's name is no pool of a per-destination gateway" 'nat' "no pool named \"nat\""
pools_obs 'cold#3'
run_nc poolval validate -i "$P"
if [ "$(cat "$T/poolval.rc")" = 65 ] && grep -qF "column 'pool': gateway 'nat' has no pool named \"cold#3\"" "$T/poolval.err"; then
    ok "pool column: validate reports the unknown pool"
else
    nok "validate: unknown pool" "exit $(cat "$T/poolval.rc")" "$(cat "$T/poolval.err")"
fi
printf 'time,gateway,metric,value,pool\n00:00,nat,requests,5,cold#1\n' >"$P/observed.csv"
run_nc poolreq run -i "$P" -o "$T/never_pools" -q
if [ "$(cat "$T/poolreq.rc")" = 65 ] && [ ! -e "$T/never_pools" ] &&
   grep -qF "observed.csv:2: column 'pool': requests are counted per gateway, not per pool" "$T/poolreq.err"; then
    ok "pool column: requests of a pool is an error"
else
    nok "requests of a pool" "exit $(cat "$T/poolreq.rc")" "$(cat "$T/poolreq.err")"
fi
rm -f "$P/observed.csv"
