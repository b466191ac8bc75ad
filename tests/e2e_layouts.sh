#!/bin/sh
# End-to-end tests of what natcap says about the bottleneck on gateways with
# many pools (SPEC §5), the severity grade, the share of failed requests
# per interval, the input warnings and the empty-file error.  Expected
# values are hand arithmetic from the input comments:
#   tests/e2e/per-destination  AWS-like, 3 APIs; payments has 1 address:
#       demand 1000/s x (0.2 + 60) s = 60,200 > 55,000 in pool payments#1;
#       7 pools (1 + 4 + 2); the fix (2 IPs) does not run out.
#   tests/e2e/per-instance     GCP-like, 1,500 VMs x 64 ports on 1 IP:
#       floor(64512 / 64) = 1,008 get ports, 492 do not (the first without
#       is instance 1,009); 492 / 1500 = 32.8 % of requests fail; demand
#       0.25/s x 120.1 s = 30.025 per VM; 2 IPs reserve for all, or
#       floor(64512 / 1500) = 43 ports each with 1.
#   tests/e2e/warnings         each contradiction of io/warn.h once.
# POSIX sh; run from the repository root: NATCAP=/abs/natcap sh tests/e2e_layouts.sh

NATCAP=${NATCAP:-./natcap}
E2E=tests/e2e
[ -x "$NATCAP" ] || { echo "e2e_layouts: NATCAP=$NATCAP is not an executable" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-lay.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/conserve.sh"
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

# field FILE SCENARIO COLUMN: the column of the scenario's row (first gateway)
field() {
    awk -F, -v s="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
        $1 == s && !done { print $k; done = 1 }' "$1"
}
# near A B TOL: |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'; }
# rank of a severity name
rank() { case $1 in ok) echo 0 ;; near) echo 1 ;; minor) echo 2 ;; major) echo 3 ;; outage) echo 4 ;; *) echo 9 ;; esac; }

# ---- per destination --------------------------------------------------------------
D=$T/pd
"$NATCAP" run -i $E2E/per-destination -o "$D" -j 2 --format png > "$T/pd.out" 2> "$T/pd.err"
check "per-destination: run exit 0" "[ $? -eq 0 ]"
S=$D/summary.csv
check "per-destination: binding_pool payments#1" "[ \"$(field "$S" baseline binding_pool)\" = 'payments#1' ]"
check "per-destination: pools_total 7" "[ \"$(field "$S" baseline pools_total)\" = 7 ]"
check "per-destination: instances_without_ports 0" "[ \"$(field "$S" baseline instances_without_ports)\" = 0 ]"
check "per-destination: demand_peak = 1000 x 60.2 = 60200" "near \"$(field "$S" baseline demand_peak)\" 60200 0.05"
check "per-destination: one pool ran out in every replication" "near \"$(field "$S" baseline pools_exhausted)\" 1 0"
check "per-destination: the fix has no exhausted pool" "near \"$(field "$S" two-ips pools_exhausted)\" 0 0"
sb=$(field "$S" baseline severity)
sf=$(field "$S" two-ips severity)
check "per-destination: severity baseline ($sb) worse than its fix ($sf)" "[ $(rank "$sb") -gt $(rank "$sf") ] && [ $(rank "$sb") -ge 2 ] && [ $(rank "$sb") -le 4 ]"
check "per-destination: stdout names the binding pool" "grep -q '^baseline .*payments#1' \"$T/pd.out\""
check "per-destination: stdout grades it" "grep -Eq '^baseline .*(MAJOR|OUTAGE|minor): [0-9.]+ % of requests failed' \"$T/pd.out\""
check "per-destination: report.md names the binding pool" "grep -q 'binding pool .payments#1.' \"$D/report.md\""
check "per-destination: report.md has the severity column" "grep -q '| severity | binding pool | verdict |' \"$D/report.md\""
"$NATCAP" run -i $E2E/per-destination -o "$T/pd1" -s baseline -r 1 -j 2 -q --format png
check "per-destination -r 1: report.md says '1 replication', not '1 replications'" "grep -q 'mean over 1 replication;' \"$T/pd1/report.md\" && ! grep -q '1 replications' \"$T/pd1/report.md\""
# failed_request_pct per interval: 100 x failed / requests of the interval, and
# the intervals add up to the day's figure of summary.csv
TS=$D/baseline/timeseries.csv
check "per-destination: timeseries has failed_request_pct" "head -1 \"$TS\" | grep -q ',failed_request_pct'"
check "per-destination: failed_request_pct = 100 x failed / requests per interval" "awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) { if (\$i == \"failed_request_pct\") p = i; if (\$i == \"failed_requests_mean\") f = i; if (\$i == \"requests_mean\") q = i }; next }
    { want = \$q > 0 ? 100 * \$f / \$q : 0; d = \$p - want; if (d < 0) d = -d; if (d > 0.002 + 1e-3 * want) bad++ ; n++ }
    END { exit !(n > 0 && bad == 0) }' \"$TS\""
fsum=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "failed_request_pct") p = i; if ($i == "requests_mean") q = i }; next }
    { f += $p * $q / 100; r += $q } END { printf "%.6f", 100 * f / r }' "$TS")
check "per-destination: intervals' failed shares add up to summary's failed_request_pct ($fsum)" "near $fsum \"$(field "$S" baseline failed_request_pct)\" 0.01"
check "per-destination: peak utilisation baseline > fix" "awk -v a=\"$(field "$S" baseline peak_utilization)\" -v b=\"$(field "$S" two-ips peak_utilization)\" 'BEGIN { exit !(a > b) }'"

# ---- per instance --------------------------------------------------------------------
I=$T/pi
"$NATCAP" run -i $E2E/per-instance -o "$I" -j 1 > "$T/pi.out" 2> "$T/pi.err"
check "per-instance: run exit 0" "[ $? -eq 0 ]"
S=$I/summary.csv
check "per-instance: binding_pool api#1009>ext#1 (first without ports)" "[ \"$(field "$S" baseline binding_pool)\" = 'api#1009>ext#1' ]"
check "per-instance: pools_total 1500" "[ \"$(field "$S" baseline pools_total)\" = 1500 ]"
check "per-instance: instances_without_ports 492" "[ \"$(field "$S" baseline instances_without_ports)\" = 492 ]"
check "per-instance: the fix leaves none without ports" "[ \"$(field "$S" two-ips instances_without_ports)\" = 0 ]"
check "per-instance: demand_peak = 0.25 x 120.1 = 30.025" "near \"$(field "$S" baseline demand_peak)\" 30.025 0.05"
check "per-instance: ~492/1500 = 32.8 % of requests fail" "near \"$(field "$S" baseline failed_request_pct)\" 32.8 1.5"
check "per-instance: utilisation 100 % although the pools with ports never fill" "near \"$(field "$S" baseline peak_utilization)\" 1 0"
sb=$(field "$S" baseline severity)
sf=$(field "$S" two-ips severity)
check "per-instance: severity outage ($sb), its fix better ($sf)" "[ \"$sb\" = outage ] && [ $(rank "$sf") -lt 4 ]"
check "per-instance: stdout says 492 of 1,500 get no ports, of service 'api'" "grep -q \"492 of 1,500 instances get no ports (of service 'api')\" \"$T/pi.out\""
check "per-instance: stdout says what reserves ports for all" "grep -q '2 NAT IPs would reserve them for all, or ports_per_instance 32 with 1 NAT IP' \"$T/pi.out\""
check "per-instance: run warns the same on stderr" "grep -q \"warning: scenario 'baseline': gateway 'nat': 492 of 1,500\" \"$T/pi.err\""
check "per-instance: report.md says it" "grep -q '492 of 1,500 instances get no ports' \"$I/report.md\""
check "per-instance: every interval of the baseline is 100 % used, its fix less" "awk -F, '
    FNR == 1 { for (i = 1; i <= NF; i++) if (\$i == \"utilization_mean\") u = i; f++; next }
    f == 1 { if (\$u + 0 < 1) bad++ } f == 2 { if (\$u + 0 >= 1) bad++ } END { exit bad > 0 }' \"$I/baseline/timeseries.csv\" \"$I/two-ips/timeseries.csv\""
"$NATCAP" validate -i $E2E/per-instance > "$T/v.out" 2> "$T/v.err"
check "per-instance: validate exit 0" "[ $? -eq 0 ]"
check "per-instance: validate warns of the 492 VMs without ports" "grep -q \"warning: scenario 'baseline': gateway 'nat': 492 of 1,500 instances get no ports\" \"$T/v.err\" && ! grep -q \"scenario 'two-ips'\" \"$T/v.err\""

# ---- the same CSVs for any -j ----------------------------------------------------------
"$NATCAP" run -q -i $E2E/per-instance -o "$T/pi2" -j 2 --format png 2> /dev/null
same=1
for f in summary.csv baseline/timeseries.csv baseline/services.csv two-ips/timeseries.csv; do
    cmp -s "$I/$f" "$T/pi2/$f" || same=0
done
check "per-instance: CSVs byte-identical for -j1 and -j2" "[ $same -eq 1 ]"

# ---- warnings ----------------------------------------------------------------------------
"$NATCAP" validate -i $E2E/warnings > "$T/w.out" 2> "$T/w.err"
check "warnings: validate exit 0" "[ $? -eq 0 ]"
check "warnings: keepalive_s >= idle_timeout_s" "grep -q 'warning: services.csv:3: .*keepalive_s 90 is not below .*idle_timeout_s 60' \"$T/w.err\""
check "warnings: an override's warning names its scenarios.csv line" "grep -q \"warning: scenarios.csv:4: scenario 'keep': services.csv:4: .*keepalive_s 400 is not below\" \"\$T/w.err\""
check "warnings: pool_idle > pool_max" "grep -q 'warning: services.csv:3: .*pool_idle 8 is above pool_max 4' \"$T/w.err\""
check "warnings: per_destination_limit above ports per IP" "grep -q \"warning: gateway 'nat': per_destination_limit 60000 is above its 32768 ports per IP\" \"$T/w.err\""
check "warnings: instances without ports" "grep -q \"warning: gateway 'vms': 6 of 10 instances get no ports (of service 'fleet')\" \"$T/w.err\""
check "warnings: nothing else on stderr" "[ \$(wc -l < \"$T/w.err\") -eq 5 ]"
"$NATCAP" run -q -i $E2E/warnings -o "$T/w" > /dev/null 2> "$T/wr.err"
check "warnings: run exit 0 with the same warnings" "[ $? -eq 0 ] && [ \$(grep -c 'warning:' \"$T/wr.err\") -eq 5 ]"

# ---- an empty file is an error naming it ------------------------------------------------
for how in empty comments; do
    for f in profiles.csv scenarios.csv services.csv; do
        rm -rf "$T/in"
        cp -r $E2E/per-destination "$T/in"
        if [ $how = empty ]; then : > "$T/in/$f"; else printf '# nothing yet\n\n  \n' > "$T/in/$f"; fi
        "$NATCAP" validate -i "$T/in" > /dev/null 2> "$T/e.err"
        rc=$?
        check "$how $f: exit 65 naming $f: no header row" "[ $rc -eq 65 ] && grep -q \"^natcap: $T/in/$f: no header row\" \"$T/e.err\""
    done
done

# every run above that wrote results: counts add up (tests/conserve.sh)
if conserved_all "$T" > "$T/cons"; then ok "counts add up to summary.csv in every result"
else nok "counts do not add up: $(cat "$T/cons")"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
