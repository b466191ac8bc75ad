#!/usr/bin/env python3
"""Independent check of alerts.csv's observed_fired_at.

    observed_fired.py ALERTS_CSV OBSERVED_CSV SCENARIO

Reads each rule of SCENARIO from alerts.csv (threshold, comparison,
datapoints_to_alarm M of evaluation_periods N, period_s, delay_s), the
observed series of the metric the platform metric stands for from
observed.csv (time-of-day rows, one point per period_s), evaluates the rule
datapoint by datapoint (datapoint k stamped at the end of its interval) and
compares the first firing with observed_fired_at.  Exit 1 on a mismatch.
"""
import csv
import sys

# platform metric -> natcap's observed metric (README: alert rules per platform)
COUNTERPART = {
    "node_nf_conntrack_entries": "in_use",
    "node_nf_conntrack_stat_drop+insert_failed": "alloc_failures",
    "ActiveConnectionCount": "open",
    "ConnectionEstablishedCount": "new_connections",
    "ErrorPortAllocation": "alloc_failures",
}


def seconds(hhmm):
    parts = [int(p) for p in hhmm.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)


def clock(s):
    s = int(round(s))
    return "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)


def main():
    alerts, observed, scenario = sys.argv[1:4]
    series = {}
    with open(observed, newline="") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    head = rows[0]
    for r in rows[1:]:
        d = dict(zip(head, r))
        series.setdefault(d["metric"], []).append((seconds(d["time"]), float(d["value"])))
    bad = 0
    checked = 0
    with open(alerts, newline="") as f:
        for row in csv.DictReader(f):
            if row["scenario"] != scenario:
                continue
            metric = COUNTERPART.get(row["metric"])
            if metric is None or metric not in series:
                continue
            period = float(row["period_s"])
            delay = float(row["delay_s"])
            m, n = int(row["datapoints_to_alarm"]), int(row["evaluation_periods"])
            thr = float(row["threshold"])
            strict = row["comparison"] == ">"
            pts = sorted(series[metric])
            breach = []
            want = "never"
            for t, v in pts:
                breach.append(v > thr if strict else v >= thr)
                if sum(breach[-n:]) >= m:
                    want = clock(t + period + delay)
                    break
            checked += 1
            got = row["observed_fired_at"]
            if got != want:
                print("%s %s: observed_fired_at %r, independent evaluation %r"
                      % (row["gateway"], row["rule"], got, want))
                bad += 1
    if checked == 0:
        print("no rule of scenario %s has an observed series" % scenario)
        return 1
    print("%d rules checked" % checked)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
