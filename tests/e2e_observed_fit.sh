# Sourced by tests/e2e_observed.sh: `natcap fit --latency` against a hidden
# truth.  tests/observed/latency simulates a day whose destination is open
# 11.963 s per connection on average (lognormal latency, mean 11,943 ms, plus a
# 20 ms handshake: see its destinations.csv); the fit starts from latencies
# 2.5 times the truth (hold 2.5 x 11,943 + 20 = 29,878 ms) and must find the
# hold time again from the observed open connections and new connections alone.
#
# Tolerance, from the Poisson noise.  The implied hold time is Little's law over
# the day, h = sum_i open_i / sum_i (new_i / 60) (open: the level at each minute's
# end; new: the count in the minute).  The observed day: with Poisson arrivals
# and no refusals the open connections at an instant are Poisson (M(t)/G/inf),
# the minute ends are 5 mean holds apart (nearly independent: a connection open
# at one minute's end is still open at the next with probability under 1 %,
# the latency's p99 being 40 s), and the counts are Poisson,
# so the relative variance of h_obs is 1 / sum open + 1 / sum new.  The fitted
# model matches its own h (2 replications, so half that variance) to h_obs.
# Allowed: 4 sd of the difference from the truth, sd = sqrt(1.5) x sqrt(1/O + 1/C)
# with O and C the observed sums (O ~ 124,000, C ~ 620,000: sd ~ 0.38 %,
# tolerance ~ 1.5 %).  The
# latency factor carries the same relative error, scaled by hold / latency.

L=$T/lat
LS=$T/lat_start
mkdir -p "$L" "$LS"
cp tests/observed/latency/*.csv "$L/"
zeros "$L" new_connections:sum open:mean
run_nc lattruth run -i "$L" -o "$T/lat_truth" -r 1 --seed 777 -q --format png
awk -F, 'BEGIN { print "time,gateway,metric,value,stat,source" }
    NR > 1 { printf "%s,nat,%s,%d,%s,hidden truth\n", $1, $5, $7 + 0.5, $10 }' \
    "$T/lat_truth/baseline/observed.csv" >"$LS/observed.csv"
cp "$L/gateways.csv" "$L/profiles.csv" "$L/scenarios.csv" "$L/services.csv" "$LS/"
printf 'destination,latency_dist,latency_p50_ms,latency_p99_ms,handshake_ms\napi,lognormal,25000,100000,20\n' \
    >"$LS/destinations.csv"
run_nc latfit fit -i "$LS" -o "$T/lat_fitted" --latency -r 2 --seed 99 -j 2 -q
FM=$T/lat_fitted/fit.md
# "- hold time by Little's law: observed A s, model B s before, C s after; destinations' latency x D"
hold_line=$(grep "^- hold time by Little's law: " "$FM" 2>/dev/null)
set -- $(echo "$hold_line" | sed 's/.*observed \([0-9.]*\) s, model \([0-9.]*\) s before, \([0-9.]*\) s after; .* x \([0-9.]*\)$/\1 \2 \3 \4/')
md_obs=$1 md_before=$2 md_after=$3 md_lat=$4
# the same figures to more digits from fit.csv (observed and model_after per minute)
awk -F, -v mdo="$md_obs" -v mdb="$md_before" -v mda="$md_after" -v lat="$md_lat" '
    NR > 1 && $5 == "open" { O += $6; A += $8 }
    NR > 1 && $5 == "new_connections" { C += $6; N += $8 }
    END {
        if (O <= 0 || C <= 0 || N <= 0) { print "no open / new_connections in fit.csv"; exit 1 }
        ho = O / (C / 60); ha = A / (N / 60); truth = 11.963
        sd = sqrt(1.5) * sqrt(1 / O + 1 / C); tol = 4 * sd
        lat_tol = tol * truth / 11.943
        printf "hold: truth %.4f s, observed %.4f s, fitted model %.4f s (fit.md %s, before %s); latency x %s (truth 0.4); tolerance %.2f %%\n",
               truth, ho, ha, mda, mdb, lat, 100 * tol
        bad = 0
        if ((ha - truth) / truth > tol || (truth - ha) / truth > tol) { print "fitted hold off"; bad = 1 }
        if ((lat - 0.4) / 0.4 > lat_tol || (0.4 - lat) / 0.4 > lat_tol) { print "latency factor off"; bad = 1 }
        if (mda - ha > 0.006 || ha - mda > 0.006 || mdo - ho > 0.006 || ho - mdo > 0.006) { print "fit.md disagrees with fit.csv"; bad = 1 }
        if (mdb < 27 || mdb > 33) { print "the start is not 2.5 x the truth"; bad = 1 }
        exit bad
    }' "$T/lat_fitted/fit.csv" >"$T/lat_hold.txt" 2>&1
if [ $? = 0 ] && [ "$(cat "$T/latfit.rc")" = 0 ]; then
    ok "fit --latency: the hidden hold time recovered ($(head -1 "$T/lat_hold.txt"))"
else
    nok "fit --latency: hold time" "$(cat "$T/lat_hold.txt")" "$hold_line" "$(cat "$T/latfit.err")"
fi
# The fitted inputs reproduce the day: observed_mape (on open) no worse than the
# true inputs' own (the floor: one day's Poisson noise against a mean), and far
# better than the start's.
run_nc latrun run -i "$T/lat_fitted" -o "$T/lat_fitrun" -r 2 --seed 99 -q --format png
cp "$LS/observed.csv" "$L/observed.csv"
run_nc lattrue run -i "$L" -o "$T/lat_truerun" -r 2 --seed 99 -q --format png
fm=$(awk -F, 'NR == 2 { print $(NF-1) }' "$T/lat_fitrun/summary.csv")
tm=$(awk -F, 'NR == 2 { print $(NF-1) }' "$T/lat_truerun/summary.csv")
bm=$(sed -n 's/^| observed_mape | | \([0-9.]*\) % | [0-9.]* % |$/\1/p' "$FM")
if [ "$(cat "$T/latrun.rc")" = 0 ] && awk -v f="$fm" -v t="$tm" -v b="$bm" \
       'BEGIN { exit !(f != "" && t != "" && b != "" && f <= 1.1 * t + 0.5 && b > 3 * t) }'; then
    ok "fit --latency: fitted run's observed_mape $fm % (true inputs $tm %, before the fit $bm %)"
else
    nok "fit --latency: fitted run's mape" "fitted $fm, true $tm, before $bm" "$(cat "$T/latrun.err")"
fi
