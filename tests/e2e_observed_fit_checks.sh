# Sourced by tests/e2e_observed.sh: what `natcap fit` refuses or reports when
# the observations cannot carry a figure, on tests/observed/fitcheck (two
# gateways a and b, 10 requests/s each, one new connection per request,
# time_wait_s 60, a one-hour day).  Every observed.csv here is written by hand:
# 600 new connections a minute are 10 connections/s.

# fc_obs DIR HOUR GW:METRIC:VALUE:STAT...: observed.csv with one row per minute
# of that hour for each series
fc_obs() {
    dir=$1 hour=$2
    shift 2
    mkdir -p "$dir"
    cp tests/observed/fitcheck/*.csv "$dir/"
    {
        echo "time,gateway,metric,value,stat"
        for spec in "$@"; do
            echo "$spec" | awk -F: -v h="$hour" '{ for (k = 0; k < 60; k++)
                printf "%02d:%02d,%s,%s,%s,%s\n", h, k, $1, $2, $3, $4 }'
        done
    } >"$dir/observed.csv"
}
# dest_p50 FILE DEST: latency_p50_ms of that destination
dest_p50() {
    awk -F, -v d="$2" '/^#/ { next } !h { for (i = 1; i <= NF; i++) if ($i == "latency_p50_ms") c = i; h = 1; next }
        $1 == d { print $c }' "$1"
}

# --latency reads open ahead of in_use.  Gateway a: open 20 (Little: 20 / 10 =
# 2.00 s) beside in_use 610, which less the TIME_WAIT share 10 x 60 would say
# 1.00 s.  Gateway b: in_use 100 only, below its TIME_WAIT share of 600: no hold
# time, so a warning naming observed.csv, db's latency unchanged, fit.md says so.
FC=$T/fc_lat
fc_obs "$FC" 0 a:new_connections:600:sum a:open:20:mean a:in_use:610:mean \
    b:new_connections:600:sum b:in_use:100:mean
run_nc fclat fit -i "$FC" -o "$T/fc_lat_out" --latency -r 1 --seed 3
FM=$T/fc_lat_out/fit.md
if [ "$(cat "$T/fclat.rc")" = 0 ] &&
   grep -q "^- hold time by Little's law: observed 2.00 s," "$FM"; then
    ok "fit --latency: the hold time from open (2.00 s), not from in_use less TIME_WAIT (1.00 s)"
else
    nok "fit --latency: open first" "exit $(cat "$T/fclat.rc")" "$(grep -i 'hold time' "$FM" 2>&1)" "$(cat "$T/fclat.err")"
fi
if [ "$(cat "$T/fclat.rc")" = 0 ] &&
   grep -q "warning: $FC/observed.csv: gateway b: --latency: the hold time cannot be inferred (observed in_use is not above its TIME_WAIT share" "$T/fclat.err" &&
   grep -q "^- hold time by Little's law: cannot be inferred from \`$FC/observed.csv\` (observed in_use is not above .*); destinations' latency left unchanged$" "$FM" &&
   ! grep -q "nan" "$FM" "$T/fclat.out" &&
   grep -q 'gateway b: .*, latency unchanged,' "$T/fclat.out" &&
   [ "$(dest_p50 "$T/fc_lat_out/destinations.csv" db)" = 1000 ] &&
   [ "$(dest_p50 "$T/fc_lat_out/destinations.csv" da)" != 1000 ]; then
    ok "fit --latency: in_use below the TIME_WAIT share: a warning, fit.md says so, that latency unchanged"
else
    nok "fit --latency: no hold time for gateway b" "$(cat "$T/fclat.err" "$T/fclat.out")" \
        "$(grep -i 'hold time' "$FM" 2>&1)" "db $(dest_p50 "$T/fc_lat_out/destinations.csv" db)"
fi
# nothing usable at all: --latency was asked, so the fit fails and writes nothing
fc_obs "$T/fc_nohold" 0 b:new_connections:600:sum b:in_use:100:mean
expect_fail "fit --latency: no gateway's hold time can be inferred" 65 \
    "$T/fc_nohold/observed.csv: column 'metric': --latency: the hold time cannot be inferred (gateway b: observed in_use" \
    fit -i "$T/fc_nohold" -o "$T/fc_nohold_out" --latency -r 1
if [ -e "$T/fc_nohold_out" ]; then nok "fit --latency failed but wrote its output"; fi

# observations outside the simulated day (10:00-11:00 of a one-hour day): a
# clear error naming observed.csv and the first row (line 2), nothing written
fc_obs "$T/fc_late" 10 a:new_connections:600:sum a:in_use:620:max
expect_fail "fit: observations outside the simulated day" 65 \
    "$T/fc_late/observed.csv:2: column 'time': gateway a: no point of its new_connections series (10:00:00 to 11:00:00) falls on the simulated day (00:00:00 to 01:00:00" \
    fit -i "$T/fc_late" -o "$T/fc_late_out" -r 1
if [ -e "$T/fc_late_out" ]; then nok "fit outside the day wrote its output"; fi

# counts only (no level, no failures series): no "nan", no first-failure row,
# and a verdict that does not deny the points compared
fc_obs "$T/fc_counts" 0 a:new_connections:600:sum
run_nc fccounts fit -i "$T/fc_counts" -o "$T/fc_counts_out" -r 1
FM=$T/fc_counts_out/fit.md
if [ "$(cat "$T/fccounts.rc")" = 0 ] && grep -q 'observed_mape n/a -> n/a;' "$T/fccounts.out" &&
   ! grep -qi 'nan' "$T/fccounts.out" "$FM" && ! grep -q '^| first failure |' "$FM" &&
   grep -q '^Verdict after the fit: not comparable: no in_use, open or alloc_failures series to check the model against (60 of 60 observed points compared, [0-9]* % inside' "$FM"; then
    ok "fit on counts only: observed_mape n/a, no first-failure row, the verdict says why"
else
    nok "fit on counts only" "$(cat "$T/fccounts.out" "$T/fccounts.err")" "$(cat "$FM" 2>&1)"
fi

# -o naming the input directory (any spelling, a symlink too) is refused, the
# inputs untouched
cp "$T/fc_counts/services.csv" "$T/fc_services.before"
ln -s "$T/fc_counts" "$T/fc_link"
expect_fail "fit -o the input directory (DIR/.)" 64 "is the input directory" \
    fit -i "$T/fc_counts" -o "$T/fc_counts/." -r 1
expect_fail "fit -o the input directory (a symlink to it)" 64 "is the input directory" \
    fit -i "$T/fc_counts" -o "$T/fc_link" -r 1
if cmp -s "$T/fc_services.before" "$T/fc_counts/services.csv" && [ ! -e "$T/fc_counts/fit.md" ]; then
    ok "fit -o the input directory: the inputs untouched"
else
    nok "fit -o the input directory overwrote its inputs" "$(ls "$T/fc_counts")"
fi

# --latency on a gateway with several pools (tests/observed/fitpools: per
# destination, 2 addresses): observed gateway-wide, open 14.4 at 4.8 new
# connections/s is a hold of 14.4 / 4.8 = 3.00 s, three times the configured
# 1 s latency.  The model's side must be read on the whole gateway too: its
# unnamed level is one pool's (half the connections), and read so the factor
# would come out near 6.
FP=$T/fc_pools
mkdir -p "$FP"
cp tests/observed/fitpools/*.csv "$FP/"
{
    echo "time,gateway,metric,value,stat"
    awk 'BEGIN { for (k = 0; k < 30; k++) printf "00:%02d,gw,new_connections,288,sum\n00:%02d,gw,open,14.4,mean\n", k, k }'
} >"$FP/observed.csv"
run_nc fcpools fit -i "$FP" -o "$T/fc_pools_out" --latency -r 2 --seed 1
lat=$(dest_p50 "$T/fc_pools_out/destinations.csv" api)
if [ "$(cat "$T/fcpools.rc")" = 0 ] &&
   grep -q "^- hold time by Little's law: observed 3.00 s," "$T/fc_pools_out/fit.md" &&
   awk -v l="$lat" 'BEGIN { exit !(l >= 2700 && l <= 3400) }'; then
    ok "fit --latency, 2 pools observed gateway-wide: latency $lat ms ~ 3 x 1000 ms"
else
    nok "fit --latency on a gateway with 2 pools" "rc $(cat "$T/fcpools.rc"), latency_p50_ms '$lat': $(grep -i hold "$T/fc_pools_out/fit.md" 2>/dev/null) $(cat "$T/fcpools.err")"
fi
