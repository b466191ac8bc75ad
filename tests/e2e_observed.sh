#!/bin/sh
# End-to-end tests of observed metrics (SPEC §6): `natcap import` on the
# sample exports of tests/import (written from each platform's documented
# output shape) and every error path of tests/import/bad; observed.csv
# errors; model vs observed in `run`; `natcap fit`.  POSIX sh, run from the
# repository root:  NATCAP=/abs/path/natcap sh tests/e2e_observed.sh

NATCAP=${NATCAP:-./natcap}
I=tests/import
if [ ! -x "$NATCAP" ] || [ ! -d "$I" ]; then
    echo "e2e_observed: needs NATCAP and the repository root" >&2
    exit 2
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-obs.XXXXXX") || exit 2
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
run_nc() {
    name=$1
    shift
    "$NATCAP" "$@" >"$T/$name.out" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
}
# expect_fail NAME RC PATTERN ARGS...: natcap exits RC, stderr matches PATTERN
# (a fixed string), and stdout is empty.
expect_fail() {
    title=$1 want=$2 pat=$3
    shift 3
    name=$(echo "$title" | tr -c 'A-Za-z0-9\n' '_')
    run_nc "$name" "$@"
    got=$(cat "$T/$name.rc")
    if [ "$got" = "$want" ] && grep -qF -- "$pat" "$T/$name.err" && [ ! -s "$T/$name.out" ]; then
        ok "$title"
    else
        nok "$title" "exit $got (want $want), stdout $(wc -c <"$T/$name.out") bytes" \
            "stderr: $(head -c 400 "$T/$name.err")" "want: $pat"
    fi
}
# row FILE METRIC TIME: the value column of that row
row() { awk -F, -v m="$2" -v t="$3" '$3 == m && $1 == t { print $4 }' "$1"; }

# ---------------------------------------------------------------- import: samples
run_nc cw import -g egress "$I/cloudwatch.json"
if [ "$(cat "$T/cw.rc")" = 0 ] &&
   [ "$(sed -n 2p "$T/cw.out")" = "time,gateway,metric,value,interval_s,stat,pool,source" ] &&
   [ "$(grep -c ',egress,' "$T/cw.out")" = 20 ] &&
   [ "$(row "$T/cw.out" open 2026-11-30T12:00:00Z)" = 55000 ] &&
   [ "$(row "$T/cw.out" alloc_failures 2026-11-30T12:04:00Z)" = 300 ] &&
   [ "$(row "$T/cw.out" new_connections 2026-11-30T12:03:00Z)" = 20500 ] &&
   [ "$(row "$T/cw.out" attempts 2026-11-30T12:03:00Z)" = 20600 ] &&
   grep -q '^2026-11-30T12:00:00Z,egress,open,55000,60,max,,CloudWatch ActiveConnectionCount (Maximum)$' "$T/cw.out" &&
   grep -q ',alloc_failures,300,60,sum,,CloudWatch ErrorPortAllocation (Sum)$' "$T/cw.out"; then
    ok "import: CloudWatch get-metric-data (newest first -> ascending, Label stat, 4 metrics)"
else
    nok "import: CloudWatch" "$(head -c 600 "$T/cw.out") $(cat "$T/cw.err")"
fi
# open rows ascending in time
if [ "$(grep ',open,' "$T/cw.out" | cut -d, -f1 | sort -c 2>&1)" = "" ]; then
    ok "import: rows of a series in ascending time"
else
    nok "import: rows ascending" "$(grep ',open,' "$T/cw.out")"
fi

run_nc prom import "$I/prometheus.json"
# samples at 12:01..12:05 cover the minute before each: starts 12:00..12:04
if [ "$(cat "$T/prom.rc")" = 0 ] && [ "$(grep -c ',in_use,' "$T/prom.out")" = 5 ] &&
   [ "$(row "$T/prom.out" in_use 2026-11-30T12:00:00Z)" = 51234 ] &&
   [ "$(row "$T/prom.out" in_use 2026-11-30T12:04:00Z)" = 58123 ] &&
   grep -q ',in_use,51234,60,last,,Prometheus node_nf_conntrack_entries$' "$T/prom.out"; then
    ok "import: Prometheus query_range (string values, sample at t covers the step before)"
else
    nok "import: Prometheus" "$(cat "$T/prom.out" "$T/prom.err")"
fi

run_nc gcp import --pool 'api#1' "$I/gcp.json"
if [ "$(cat "$T/gcp.rc")" = 0 ] &&
   [ "$(row "$T/gcp.out" new_connections 2026-11-30T12:00:00Z)" = 20333 ] &&
   [ "$(row "$T/gcp.out" alloc_failures 2026-11-30T12:02:00Z)" = 17 ] &&
   [ "$(grep -c ',alloc_failures,' "$T/gcp.out")" = 3 ] &&
   [ "$(row "$T/gcp.out" in_use 2026-11-30T12:00:00Z)" = 987 ] &&
   grep -q ',in_use,987,60,max,api#1,Cloud Monitoring nat/port_usage$' "$T/gcp.out"; then
    ok "import: Cloud Monitoring timeSeries.list (int64 strings, reverse order, DELTA start, only OUT_OF_RESOURCES drops)"
else
    nok "import: Cloud Monitoring" "$(cat "$T/gcp.out" "$T/gcp.err")"
fi

run_nc az import -g egress "$I/azure.json"
if [ "$(cat "$T/az.rc")" = 0 ] &&
   [ "$(row "$T/az.out" attempts 2026-11-30T12:02:00Z)" = 21000 ] &&
   [ "$(row "$T/az.out" alloc_failures 2026-11-30T12:02:00Z)" = 40 ] &&
   grep -q ',open,59000,60,max,,Azure Monitor TotalConnectionCount (maximum)$' "$T/az.out" &&
   grep -q ',attempts,20300,60,sum,,Azure Monitor SNATConnectionCount Attempted (total)$' "$T/az.out"; then
    ok "import: az monitor metrics list (ConnectionState split, aggregation key -> stat, PT1M)"
else
    nok "import: Azure" "$(cat "$T/az.out" "$T/az.err")"
fi

run_nc both import -g egress "$I/cloudwatch.json" "$I/prometheus.json"
if [ "$(cat "$T/both.rc")" = 0 ] && [ "$(grep -c ',egress,' "$T/both.out")" = 25 ]; then
    ok "import: several files, formats detected per file"
else
    nok "import: several files" "$(cat "$T/both.err")"
fi

# each statistic becomes the stat that summarises it (a level max / mean, a count sum)
want_agg='2026-11-30T12:00:00Z,egress,in_use,40.5,60,mean,,Azure Monitor UsedSnatPorts (average)
2026-11-30T12:01:00Z,egress,in_use,41,60,mean,,Azure Monitor UsedSnatPorts (average)
2026-11-30T12:00:00Z,egress,open,55000,60,max,,Azure Monitor TotalConnectionCount (maximum)
2026-11-30T12:01:00Z,egress,open,57250,60,max,,Azure Monitor TotalConnectionCount (maximum)
2026-11-30T12:00:00Z,egress,attempts,20300,60,sum,,Azure Monitor SNATConnectionCount Attempted (total)
2026-11-30T12:01:00Z,egress,attempts,20800,60,sum,,Azure Monitor SNATConnectionCount Attempted (total)'
run_nc agg import -g egress "$I/azure_aggregations.json" "$I/azure_lb_average.json"
run_nc agg2 import -g egress "$I/cloudwatch_average.json" "$I/cloudwatch_statistics.json"
if [ "$(cat "$T/agg.rc")" = 0 ] && [ "$(sed 1,2d "$T/agg.out")" = "$want_agg" ] &&
   [ "$(cat "$T/agg2.rc")" = 0 ] &&
   [ "$(sed 1,2d "$T/agg2.out")" = '2026-11-30T12:00:00Z,egress,open,53900,60,mean,,CloudWatch ActiveConnectionCount (Average)
2026-11-30T12:01:00Z,egress,open,54100.5,60,mean,,CloudWatch ActiveConnectionCount (Average)
2026-11-30T12:00:00Z,egress,attempts,20400,60,sum,,CloudWatch ConnectionAttemptCount (Sum)
2026-11-30T12:01:00Z,egress,attempts,20600,60,sum,,CloudWatch ConnectionAttemptCount (Sum)' ]; then
    ok "import: a level's Maximum / Average -> max / mean, a count's Total / Sum -> sum (other keys beside them ignored)"
else
    nok "import: aggregation -> stat" "$(cat "$T/agg.out" "$T/agg.err" "$T/agg2.out" "$T/agg2.err")"
fi
# a Prometheus counter given --metric is cumulative: last, which run differences
run_nc ctr import --metric alloc_failures "$I/prometheus_counter.json"
if [ "$(cat "$T/ctr.rc")" = 0 ] &&
   [ "$(grep -c ',alloc_failures,[0-9]*,60,last,,Prometheus node_nf_conntrack_stat_insert_failed$' "$T/ctr.out")" = 3 ]; then
    ok "import: --metric on a Prometheus counter keeps it cumulative (stat last)"
else
    nok "import: Prometheus counter" "$(cat "$T/ctr.out" "$T/ctr.err")"
fi

# --metric for a name outside the table
run_nc forced import --metric open "$I/bad/cw_unknown.json"
if [ "$(cat "$T/forced.rc")" = 0 ] && grep -q ',open,3,,max,,CloudWatch IdleTimeoutCount' "$T/forced.out"; then
    ok "import: --metric maps a name outside the table"
else
    nok "import: --metric" "$(cat "$T/forced.out" "$T/forced.err")"
fi

# ---------------------------------------------------------------- import: errors
B=$I/bad
expect_fail "import error: Timestamps/Values lengths" 65 \
    "cw_lengths.json: \$.MetricDataResults[0]: Timestamps has 3 entries but Values has 2" import "$B/cw_lengths.json"
expect_fail "import error: non-numeric CloudWatch value" 65 \
    "cw_value.json: \$.MetricDataResults[0].Values[3]: expected a number" import "$B/cw_value.json"
expect_fail "import error: StatusCode PartialData" 65 \
    "cw_partial.json: \$.MetricDataResults[0].StatusCode: StatusCode is \"PartialData\", not Complete" import "$B/cw_partial.json"
expect_fail "import error: unknown metric suggests --metric" 65 \
    "cw_unknown.json: \$.MetricDataResults[0].Label: CloudWatch metric 'IdleTimeoutCount' is not in natcap's table; give --metric" \
    import "$B/cw_unknown.json"
expect_fail "import error: negative value" 65 \
    "cw_negative.json: \$.MetricDataResults[0].Values[1]: expected a number >= 0" import "$B/cw_negative.json"
expect_fail "import error: timestamp without zone" 65 \
    "cw_time.json: \$.MetricDataResults[0].Timestamps[0]: expected an ISO 8601 time" import "$B/cw_time.json"
expect_fail "import error: non-numeric Prometheus string" 65 \
    "prom_value.json: \$.data.result[0].values[1][1]: expected a number, got \"five\"" import "$B/prom_value.json"
expect_fail "import error: expression result without __name__" 65 \
    "prom_noname.json: \$.data.result[0].metric: the series has no __name__" import "$B/prom_noname.json"
expect_fail "import error: Prometheus error response" 65 \
    "prom_error.json: \$.status: query failed" import "$B/prom_error.json"
expect_fail "import error: two series for one metric" 65 \
    "prom_two.json: \$.data.result[1]: in_use at 2026-11-30T12:01:00Z already given by the series at" import "$B/prom_two.json"
expect_fail "import error: Cloud Monitoring endTime" 65 \
    "gcp_time.json: \$.timeSeries[0].points[1].interval.endTime: expected an ISO 8601 time" import "$B/gcp_time.json"
expect_fail "import error: int64Value out of range" 65 \
    "gcp_int64.json: \$.timeSeries[0].points[0].value.int64Value: expected a number" import "$B/gcp_int64.json"
expect_fail "import error: capacity metric refused" 65 \
    "gcp_allocated.json: \$.timeSeries[0].metric.type: Cloud Monitoring metric 'allocated_ports' counts the ports allocated" \
    import "$B/gcp_allocated.json"
expect_fail "import error: Azure minimum aggregation" 65 \
    "az_minimum.json: \$.value[0].timeseries[0].data[0].minimum: aggregation minimum does not summarise a level like open; export --aggregation Maximum or Average" \
    import "$B/az_minimum.json"
# TotalConnectionCount's default aggregation, Total, at PT1M (one emission a minute):
# the minute's level, written as a mean; at PT5M it would add up five of them
run_nc az_total import -g egress "$I/azure_total_pt1m.json"
if [ "$(cat "$T/az_total.rc")" = 0 ] &&
   grep -q '^2026-11-30T12:01:00Z,egress,open,57250,60,mean,,Azure Monitor TotalConnectionCount (total)$' "$T/az_total.out"; then
    ok "import: Azure TotalConnectionCount with its default Total at PT1M -> open, mean"
else
    nok "import: Azure TotalConnectionCount Total PT1M" "rc $(cat "$T/az_total.rc"): $(cat "$T/az_total.out" "$T/az_total.err")"
fi
# a statistic that does not summarise the metric: refused, naming the one to export
expect_fail "import error: Azure level exported as Total over PT5M" 65 \
    "az_total_level.json: \$.value[0].timeseries[0].data[0].total: aggregation total does not summarise a level like open; export --aggregation Maximum or Average instead" \
    import -g egress "$B/az_total_level.json"
expect_fail "import error: Azure count exported as Average (first point without data)" 65 \
    "az_average_count.json: \$.value[0].timeseries[0].data[1].average: aggregation average does not summarise a count like attempts; export --aggregation Total instead" \
    import "$B/az_average_count.json"
expect_fail "import error: CloudWatch count with Maximum in the Label" 65 \
    "cw_count_maximum.json: \$.MetricDataResults[0].Label: statistic Maximum does not summarise a count like attempts; export the statistic Sum instead" \
    import "$B/cw_count_maximum.json"
expect_fail "import error: CloudWatch level with Sum in the Id" 65 \
    "cw_level_sum.json: \$.MetricDataResults[0].Id: statistic Sum does not summarise a level like open; export the statistic Maximum or Average instead" \
    import "$B/cw_level_sum.json"
expect_fail "import error: CloudWatch SampleCount" 65 \
    "cw_samplecount.json: \$.MetricDataResults[0].Label: statistic SampleCount does not summarise a count like alloc_failures" \
    import "$B/cw_samplecount.json"
expect_fail "import error: get-metric-statistics count with only Average" 65 \
    "cw_stats_average.json: \$.Datapoints[0].Average: statistic Average does not summarise a count like new_connections; export the statistic Sum instead" \
    import "$B/cw_stats_average.json"
expect_fail "import error: Cloud Monitoring count as a GAUGE (ALIGN_RATE)" 65 \
    "gcp_rate.json: \$.timeSeries[0].metricKind: metricKind GAUGE does not summarise a count like new_connections; export a DELTA" \
    import "$B/gcp_rate.json"
expect_fail "import error: Cloud Monitoring level as a DELTA" 65 \
    "gcp_level_delta.json: \$.timeSeries[0].metricKind: metricKind DELTA does not summarise a level like open; export a GAUGE" \
    import "$B/gcp_level_delta.json"
expect_fail "import error: Prometheus instant vector" 65 \
    "prom_vector.json: \$.data.resultType: an instant vector (/api/v1/query) has one sample per series and no step; use query_range" \
    import "$B/prom_vector.json"
expect_fail "import error: Prometheus counter forced to a level" 65 \
    "prom_counter_level.json: \$.data.result[0].metric.__name__: a counter (cumulative) does not summarise a level like in_use" \
    import --metric in_use "$B/prom_counter_level.json"
expect_fail "import error: Azure non-numeric" 65 \
    "az_value.json: \$.value[0].timeseries[0].data[1].maximum: expected a number, got a boolean" import "$B/az_value.json"
expect_fail "import error: JSON syntax (line and column)" 65 \
    "syntax.json:2: column 19: not valid JSON" import "$B/syntax.json"
expect_fail "import error: unknown format" 65 "unknown_format.json: \$: not a known export" import "$B/unknown_format.json"
expect_fail "import error: not an object" 65 "array.json: \$: expected a JSON object" import "$B/array.json"
expect_fail "import error: missing file" 74 "nope.json: cannot open" import "$T/nope.json"
expect_fail "import usage: no file" 64 "no export given" import
expect_fail "import usage: bad --metric" 64 "--metric: expected" import --metric ports "$I/prometheus.json"

# -o: atomic, and nothing written on error (even when the first file was good)
echo "previous" >"$T/obs.csv"
run_nc oerr import -o "$T/obs.csv" "$I/cloudwatch.json" "$B/cw_value.json"
if [ "$(cat "$T/oerr.rc")" = 65 ] && [ "$(cat "$T/obs.csv")" = previous ] &&
   [ "$(ls -a "$T" | grep -c '^\.obs\.csv')" = 0 ]; then
    ok "import -o: an error leaves FILE as it was, no temporary left"
else
    nok "import -o on error" "$(cat "$T/obs.csv" | head -3)" "$(ls -a "$T")"
fi
run_nc ook import -g egress -o "$T/obs.csv" "$I/cloudwatch.json"
if [ "$(cat "$T/ook.rc")" = 0 ] && [ ! -s "$T/ook.out" ] && cmp -s "$T/obs.csv" "$T/cw.out"; then
    ok "import -o: writes the same rows as stdout"
else
    nok "import -o" "$(head -3 "$T/obs.csv")"
fi

# ---------------------------------------------------------------- more sections below
. tests/e2e_observed_run.sh
. tests/e2e_observed_pools.sh
. tests/e2e_observed_fit.sh
. tests/e2e_observed_fit_checks.sh

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
