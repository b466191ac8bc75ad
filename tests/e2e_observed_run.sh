# Sourced by tests/e2e_observed.sh: observed.csv in `run`, and `natcap fit`
# against a hidden truth.

# zeros DIR METRIC:STAT...: an observed.csv of zeros for every minute of the
# day, so that a run writes its own model resampled per minute (the truth)
zeros() {
    dir=$1
    shift
    {
        echo "time,gateway,metric,value,stat"
        for ms in "$@"; do
            awk -v m="${ms%%:*}" -v s="${ms##*:}" 'BEGIN { for (k = 0; k < 1440; k++)
                printf "2026-11-30T%02d:%02d:00Z,nat,%s,0,%s\n", k / 60, k % 60, m, s }'
        done
    } >"$dir/observed.csv"
}

# native exports of a model's observed.csv (cols: time,t_s,gateway,pool,metric,
# observed,model_mean,...): CloudWatch get-metric-data JSON, newest first
to_cloudwatch() {
    awk -F, 'NR > 1 && ($5 == "open" || $5 == "new_connections" || $5 == "alloc_failures") {
        n[$5]++; t[$5, n[$5]] = $1; v[$5, n[$5]] = $7 }
    END {
        split("open new_connections alloc_failures", ms, " ")
        name["open"] = "ActiveConnectionCount Maximum"
        name["new_connections"] = "ConnectionEstablishedCount"
        name["alloc_failures"] = "ErrorPortAllocation"
        printf "{\"MetricDataResults\": ["
        for (q = 1; q <= 3; q++) {
            m = ms[q]
            printf "%s{\"Id\": \"m%d\", \"Label\": \"%s\", \"StatusCode\": \"Complete\", \"Timestamps\": [", (q > 1 ? "," : ""), q, name[m]
            for (i = n[m]; i >= 1; i--) printf "%s\"2026-11-30T%s+00:00\"", i < n[m] ? "," : "", t[m, i]
            printf "], \"Values\": ["
            for (i = n[m]; i >= 1; i--) printf "%s%d", i < n[m] ? "," : "", v[m, i] + 0.5
            printf "]}"
        }
        print "], \"Messages\": []}"
    }' "$1"
}
# Prometheus query_range JSON of in_use (a sample at t reads the minute before t)
to_prometheus() {
    awk -F, 'NR > 1 && $5 == "in_use" { n++; ts[n] = $2 + 1795996800 + 60; v[n] = $7 }
    END {
        printf "{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [{\"metric\": {\"__name__\": \"node_nf_conntrack_entries\", \"instance\": \"nat:9100\"}, \"values\": ["
        for (i = 1; i <= n; i++) printf "%s[%d, \"%d\"]", (i > 1 ? "," : ""), ts[i], v[i] + 0.5
        print "]}]}}"
    }' "$1"
}

# ---------------------------------------------------------------- observed.csv in run
R=$T/obsrun
mkdir -p "$R"
cp tests/e2e/exhaust/*.csv "$R/"
# ... the exhaust set's own run, resampled per minute, then observed as is
zeros "$R" in_use:max alloc_failures:sum
sed -i 's/,nat,/,,/; /^2026-11-30T00:[3-5]/d; /^2026-11-30T0[1-9]/d; /^2026-11-30T[12]/d' "$R/observed.csv"
run_nc obsgen run -i "$R" -o "$T/obsgen" -q --format png
awk -F, 'NR > 1 { printf "%s,%s,%d,%s,CloudWatch-like test\n", $1, $5, $7 + 0.5, $10 }' \
    "$T/obsgen/baseline/observed.csv" >"$T/rows"
{ echo "time,metric,value,stat,source"; cat "$T/rows"; } >"$R/observed.csv"
run_nc obsrun run -i "$R" -o "$T/obsrun_out" -q --format png -j1
if ! grep -q "names no pool" "$T/obsrun.err"; then
    ok "one-pool gateway: no warning about the pool an unnamed level is compared with"
else
    nok "one-pool gateway: unexpected scope warning" "$(cat "$T/obsrun.err")"
fi
S=$T/obsrun_out/summary.csv
hdr=$(head -1 "$S")
case $hdr in
*,observed_peak,observed_peak_time,observed_first_failure,observed_failing_minutes,observed_mape,observed_coverage) h=1 ;;
*) h=0 ;;
esac
base=$(grep '^baseline,' "$S")
other=$(grep '^two-ips,' "$S")
if [ "$(cat "$T/obsrun.rc")" = 0 ] && [ "$h" = 1 ] &&
   [ "$(echo "$base" | awk -F, '{ print $(NF-1) }')" = "0.00" ] &&
   [ "$(echo "$base" | awk -F, '{ print $NF }')" = "1.0000" ] &&
   [ "$(echo "$other" | awk -F, '{ print $(NF-5) $(NF-4) $(NF-3) $(NF-2) $(NF-1) $NF }')" = "" ] &&
   [ -f "$T/obsrun_out/baseline/observed.csv" ] && [ ! -f "$T/obsrun_out/two-ips/observed.csv" ]; then
    ok "run: observed series of the model itself: mape 0, coverage 1 on the first scenario only"
else
    nok "run with observed.csv" "$hdr" "$base" "$other" "$(cat "$T/obsrun.err")"
fi
if grep -q '^## Model vs observed' "$T/obsrun_out/report.md" &&
   grep -q 'the model reproduces the observations' "$T/obsrun_out/report.md" &&
   [ "$(head -1 "$T/obsrun_out/baseline/observed.csv")" = "time,t_s,gateway,pool,metric,observed,model_mean,model_p05,model_p95,stat,interval_s,source" ]; then
    ok "run: report.md has the model vs observed table and verdict; SCENARIO/observed.csv columns"
else
    nok "report model vs observed" "$(grep -A8 'Model vs' "$T/obsrun_out/report.md")"
fi
# timeseries: new_connections_mean + open_mean at the end of the columns
if head -1 "$T/obsrun_out/baseline/timeseries.csv" | grep -q ',new_connections_mean,open_mean$' &&
   awk -F, 'NR > 1 && ($(NF) + 0 != $9 + $10 || $(NF-1) + 0 > $15 + 0) { bad = 1 } END { exit bad }' \
       "$T/obsrun_out/baseline/timeseries.csv"; then
    ok "timeseries: open_mean = active + idle, new_connections_mean <= attempts_mean"
else
    nok "timeseries new columns" "$(head -2 "$T/obsrun_out/baseline/timeseries.csv")"
fi
# observed = yes in scenarios.csv picks the compared scenarios
sed -i 's/^scenario,description,/scenario,observed,description,/; s/^baseline,/baseline,,/; s/^two-ips,/two-ips,yes,/' "$R/scenarios.csv"
run_nc obsyes run -i "$R" -o "$T/obsyes" -q --format png -j2
if [ "$(cat "$T/obsyes.rc")" = 0 ] && [ -f "$T/obsyes/two-ips/observed.csv" ] &&
   [ ! -f "$T/obsyes/baseline/observed.csv" ]; then
    ok "scenarios.csv observed = yes chooses the compared scenario"
else
    nok "observed = yes" "$(cat "$T/obsyes.err")"
fi
sed -i 's/^scenario,observed,description,/scenario,description,/; s/^baseline,,/baseline,/; s/^two-ips,yes,/two-ips,/' "$R/scenarios.csv"
run_nc obsrun2 run -i "$R" -o "$T/obsrun_j2" -q --format png -j2
same=1
for f in summary.csv baseline/observed.csv baseline/timeseries.csv two-ips/timeseries.csv; do
    cmp -s "$T/obsrun_out/$f" "$T/obsrun_j2/$f" || same=0
done
if [ "$same" = 1 ]; then ok "run with observations: -j1 and -j2 byte-identical"; else nok "-j1/-j2 differ"; fi

# observed.csv errors: exit 65, file:line:column, nothing written
obs_err() {
    title=$1 text=$2 pat=$3
    shift 3
    printf '%s\n' "$text" >"$R/observed.csv"
    name=$(echo "$title" | tr -c 'A-Za-z0-9\n' '_')
    rm -rf "$T/never"   # an earlier case that wrongly passed fails alone
    run_nc "$name" run -i "$R" -o "$T/never" -q "$@"
    if [ "$(cat "$T/$name.rc")" = 65 ] && grep -qF -- "$pat" "$T/$name.err" && [ ! -e "$T/never" ]; then
        ok "$title"
    else
        nok "$title" "exit $(cat "$T/$name.rc")" "$(cat "$T/$name.err")" "want: $pat"
    fi
}
obs_err "observed.csv: several days without --observed-day/--observed-fold" \
    "time,metric,value
2026-11-30T10:00Z,open,1
2026-12-01T10:00Z,open,2" "observed.csv:3: column 'time': the observations span several days"
# every error at once, as the other input files: both unknown header names, and
# then (a file with a good header) one error per bad row
printf 'time,metrc,value,sorce\n00:00,open,1,x\n' >"$R/observed.csv"
run_nc obs_two_heads run -i "$R" -o "$T/never" -q
printf 'time,metric,value\n00:00,opn,1\n00:01,open,-1\n00:02,open,x\n00:03,open,4\n' >"$R/observed.csv"
run_nc obs_three_rows validate -i "$R"
if [ "$(cat "$T/obs_two_heads.rc")" = 65 ] && [ ! -e "$T/never" ] &&
   grep -qF "observed.csv:1: column 'metrc': unknown column" "$T/obs_two_heads.err" &&
   grep -qF "observed.csv:1: column 'sorce': unknown column" "$T/obs_two_heads.err" &&
   ! grep -q "required column is missing" "$T/obs_two_heads.err" &&
   [ "$(cat "$T/obs_three_rows.rc")" = 65 ] &&
   grep -qF "observed.csv:2: column 'metric'" "$T/obs_three_rows.err" &&
   grep -qF "observed.csv:3: column 'value'" "$T/obs_three_rows.err" &&
   grep -qF "observed.csv:4: column 'value'" "$T/obs_three_rows.err" &&
   ! grep -q "observed.csv:5" "$T/obs_three_rows.err"; then
    ok "observed.csv: every header error and every bad row reported in one run"
else
    nok "observed.csv: every error at once" "$(cat "$T/obs_two_heads.err" "$T/obs_three_rows.err")"
fi
obs_err "observed.csv: one UTC day that --tz moves across midnight says so" \
    "time,metric,value
2026-11-30T22:58Z,open,1
2026-11-30T22:59Z,open,1
2026-11-30T23:00Z,open,2" "the observations span several days on the simulated clock (after --tz +01:00) (2026-11-30 and 2026-12-01)" --tz +01:00
obs_err "observed.csv: decreasing counter" "time,metric,value,stat
00:00,attempts,5,last
00:01,attempts,4,last" "observed.csv:3: column 'value': the cumulative counter decreases"
obs_err "observed.csv: a count with stat mean (a count takes sum or last)" "time,metric,value,stat
00:00,new_connections,6,mean" "observed.csv:2: column 'stat': stat mean does not summarise a count like new_connections; use sum (the count of each interval) or last (a cumulative counter)"
obs_err "observed.csv: duplicate (time, gateway, metric, pool)" "time,metric,value
00:00,open,1
00:00,open,2" "observed.csv:3: column 'time': duplicate"
obs_err "observed.csv: gap inside a series" "time,metric,value,interval_s
00:00,open,1,60
00:02,open,2,60" "observed.csv:3: column 'time': gap"
obs_err "observed.csv: times of day running past midnight" "time,metric,value
23:58,open,1
23:59,open,2
00:00,open,2
00:01,open,1" "observed.csv:4: column 'time': the series runs past midnight (00:00 on line 4 comes after line 3's 23:59)"
obs_err "observed.csv: negative value" "time,metric,value
00:00,open,-3" "observed.csv:2: column 'value'"
obs_err "observed.csv: unknown metric" "time,metric,value
00:00,ports,3" "observed.csv:2: column 'metric'"
obs_err "observed.csv: unknown gateway" "time,gateway,metric,value
00:00,nat2,open,3" "observed.csv:2: column 'gateway': no gateway named \"nat2\""
obs_err "observed.csv: bad time" "time,metric,value
10h00,open,3" "observed.csv:2: column 'time'"
obs_err "observed.csv: --observed-day with no data that day" "time,metric,value
2026-11-30T10:00Z,open,1" "no observation on 2026-12-01" --observed-day 2026-12-01
printf 'time,metric,value\n2026-11-30T10:00Z,open,1\n2026-12-01T10:00Z,open,3\n' >"$R/observed.csv"
run_nc fold run -i "$R" -o "$T/fold" -q --format png --observed-fold max
run_nc oday validate -i "$R" --observed-day 2026-12-01 --tz +01:00
if [ "$(cat "$T/fold.rc")" = 0 ] && grep -q '^10:00:00,36000,nat,,open,3,' "$T/fold/baseline/observed.csv" &&
   [ "$(cat "$T/oday.rc")" = 0 ] && grep -q 'observed.csv: 1 series, 1 points on 2026-12-01' "$T/oday.out"; then
    ok "--observed-fold max folds by time of day; --observed-day picks a day"
else
    nok "fold / day" "$(cat "$T/fold.err" "$T/oday.out" "$T/oday.err")"
fi
rm -f "$R/observed.csv"

# ---------------------------------------------------------------- fit: hidden truth
H=$T/truth
mkdir -p "$H"
cp tests/observed/truth/*.csv "$H/"
zeros "$H" new_connections:sum in_use:max open:max alloc_failures:sum
run_nc truth run -i "$H" -o "$T/truth_out" -r 1 --seed 4242 -q --format png
to_cloudwatch "$T/truth_out/baseline/observed.csv" >"$T/cloudwatch.json"
to_prometheus "$T/truth_out/baseline/observed.csv" >"$T/prometheus.json"
# the starting point: flat profile, rate 40 % too high
S0=$T/start
mkdir -p "$S0"
cp "$H/gateways.csv" "$H/destinations.csv" "$H/scenarios.csv" "$S0/"
printf 'service,destination,instances,rps,syn_retries,connect_timeout_s,retries\napp,api,4,4.2,2,3,0\n' >"$S0/services.csv"
run_nc imp import -g nat -o "$S0/observed.csv" "$T/cloudwatch.json" "$T/prometheus.json"
if [ "$(cat "$T/imp.rc")" = 0 ] && [ "$(grep -c ',nat,' "$S0/observed.csv")" = 5760 ]; then
    ok "truth exported as CloudWatch and Prometheus JSON, imported (4 x 1440 rows)"
else
    nok "truth import" "$(cat "$T/imp.err")"
fi
for j in 1 2; do
    run_nc "fit$j" fit -i "$S0" -o "$T/fitted$j" --knots 96 -r 2 --seed 99 -j "$j"
done
if [ "$(cat "$T/fit1.rc")" = 0 ] && cmp -s "$T/fitted1/services.csv" "$T/fitted2/services.csv" &&
   cmp -s "$T/fitted1/profiles.csv" "$T/fitted2/profiles.csv" && cmp -s "$T/fitted1/fit.csv" "$T/fitted2/fit.csv"; then
    ok "fit: deterministic for -j1 and -j2 ($(cat "$T/fit1.out" | head -c 300))"
else
    nok "fit -j1/-j2" "$(cat "$T/fit1.err" "$T/fit2.err")"
fi
# The fitted rate at every knot against the truth.  The truth's rate at knot j is
# 12 x m(t_j) requests/s (= new connections/s: no pooling).  The fit estimates it from
# one day's Poisson counts: with hat functions of half-width h = 900 s the least-squares
# coefficient has variance ~ lambda_j (G^-1)_jj = 1.73 lambda_j / h (G the hats' Gram
# matrix: 2h/3 on the diagonal, h/6 beside it), so sd_j <= sqrt(2 lambda_j / h).  Allowed:
# 4 sd_j, plus 3 % of lambda_j for the requests the fit must infer behind refused SYNs
# in the exhausted minutes (the model's connections-per-request ratio there comes from
# 2 simulated replications of their own noise).
F=$T/fitted1
awk -F, -v tol_rel=0.03 '
    FILENAME ~ /truth\/profiles.csv$/ && $1 == "two-peaks" { split($2, a, ":"); n++; tt[n] = a[1] * 3600 + a[2] * 60; tm[n] = $3; next }
    FILENAME ~ /services.csv$/ && $1 == "app" { for (i = 1; i <= NF; i++) if (h[i] == "rps") rps = $i; next }
    FILENAME ~ /services.csv$/ { for (i = 1; i <= NF; i++) h[i] = $i; next }
    FILENAME ~ /fitted1\/profiles.csv$/ && $1 == "fitted-nat" { split($2, a, ":"); k++; ft[k] = a[1] * 3600 + a[2] * 60; fm[k] = $3 }
    END {
        bad = 0; worst = 0
        for (j = 1; j < k; j++) {
            t = ft[j]
            for (q = 1; q < n && tt[q + 1] < t; q++) ;
            m = tm[q] + (tm[q + 1] - tm[q]) * (t - tt[q]) / (tt[q + 1] - tt[q])
            lam = 12 * m; fit = 4 * rps * fm[j]
            tol = 4 * sqrt(2 * lam / 900) + tol_rel * lam
            d = fit - lam; if (d < 0) d = -d
            if (d / tol > worst) { worst = d / tol; wj = j }
            if (d > tol) { bad++; printf "knot %s: truth %.3f fitted %.3f tolerance %.3f\n", t, lam, fit, tol }
        }
        printf "worst knot at %d s: %.2f of its tolerance\n", ft[wj], worst
        exit bad > 0
    }' tests/observed/truth/profiles.csv "$F/services.csv" "$F/profiles.csv" >"$T/knots.txt"
if [ $? = 0 ] && [ "$(grep -c '^fitted-nat,' "$F/profiles.csv")" = 97 ]; then
    ok "fit: profile x rate recovers the truth at all 96 knots ($(tail -1 "$T/knots.txt"))"
else
    nok "fit: knots" "$(cat "$T/knots.txt")"
fi
# the fitted inputs run as they are and reproduce the observed day; the floor for
# observed_mape on in_use is the true inputs' own (one day's noise against a mean)
run_nc fitrun run -i "$F" -o "$T/fitrun" -r 2 --seed 99 -q --format png
run_nc truerun run -i "$S0" -o "$T/truerun" -r 2 --seed 99 -q --format png
cp "$H/services.csv" "$H/profiles.csv" "$S0/"
run_nc truerun run -i "$S0" -o "$T/truerun" -r 2 --seed 99 -q --format png
fm=$(awk -F, 'NR == 2 { print $(NF-1) }' "$T/fitrun/summary.csv")
tm=$(awk -F, 'NR == 2 { print $(NF-1) }' "$T/truerun/summary.csv")
of=$(awk -F, 'NR == 2 { print $(NF-3) }' "$T/fitrun/summary.csv")
ff=$(sed -n 's/^| first failure | \([0-9:]*\) | \([0-9:]*\) |$/\2/p' "$T/fitrun/report.md")
if [ "$(cat "$T/fitrun.rc")" = 0 ] && awk -v f="$fm" -v t="$tm" 'BEGIN { exit !(f != "" && f <= 1.25 * t + 1) }'; then
    ok "fitted run: observed_mape on in_use $fm % (true inputs: $tm %)"
else
    nok "fitted run mape" "fitted $fm true $tm" "$(cat "$T/fitrun.err")"
fi
if awk -v a="$of" -v b="$ff" 'BEGIN { split(a, x, ":"); split(b, y, ":"); d = (x[1] * 60 + x[2]) - (y[1] * 60 + y[2]);
        exit !(a != "" && b != "" && d <= 2 && d >= -2) }'; then
    ok "fitted run: first failure $ff within 2 intervals of the observed $of"
else
    nok "fitted run first failure" "observed $of model $ff" "$(grep -A8 'Model vs' "$T/fitrun/report.md")"
fi
if [ -f "$F/fit.csv" ] && [ "$(head -1 "$F/fit.csv")" = "time,t_s,gateway,pool,metric,observed,model_before,model_after" ] &&
   grep -q 'rounds (simulate, compare, rescale)' "$F/fit.md" && grep -q 'observed_mape' "$F/fit.md"; then
    ok "fit: fit.csv and fit.md with errors before and after"
else
    nok "fit outputs" "$(head -3 "$F/fit.csv")"
fi
