#!/usr/bin/env python3
"""evaluate.py OUTPUT: an independent evaluation of natcap's alert rules.

Reads the rules as written (OUTPUT/alerts/*: thresholds, comparison,
datapoints, windows), the per-replication series natcap simulated
(OUTPUT/SCENARIO/alert_series.csv) and evaluates every rule on every
replication with the platform's semantics, then compares detection, failing
and false-alarm counts and the lead percentiles with OUTPUT/alerts.csv.
Shares no code with natcap: the metric -> simulated counterpart table is the
README's, the semantics are the platforms' (Prometheus `for:`, CloudWatch
M of N datapoints, Cloud Monitoring duration + the 180 s publication delay
the README states, Azure window aggregation)."""
import csv, glob, json, math, os, re, sys
import yaml

out = sys.argv[1]
problems = []

def quantile(xs, p):                 # linear between order statistics
    xs = sorted(xs)
    if not xs:
        return None
    h = (len(xs) - 1) * p
    lo = int(math.floor(h))
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])

def series(path):
    reps = {}
    for r in csv.DictReader(open(path, newline="")):
        key = (r["gateway"], int(r["replication"]))
        e = reps.setdefault(key, {"t": [], "ff": r["first_failure_s"], "in_use": [], "in_use_max": [],
                                  "open": [], "attempts": [], "alloc_failures": []})
        e["t"].append(float(r["t_end_s"]))
        for k in ("in_use", "in_use_max", "open", "attempts", "alloc_failures"):
            e[k].append(float(r[k]))
    return reps

def prom_seconds(s):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", s)
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]

AZ_ISO = {"PT1M": 60, "PT5M": 300, "PT15M": 900, "PT30M": 1800, "PT1H": 3600, "PT6H": 21600,
          "PT12H": 43200, "P1D": 86400}

def rule_for(platform, gateway, rule, period):
    """(values(rep) -> list, fire(rep) -> seconds or None) from the rule file."""
    d = os.path.join(out, "alerts")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", gateway)
    if platform == "linux":
        doc = yaml.safe_load(open(os.path.join(d, "prometheus.rules.yml")))
        grp = [g for g in doc["groups"] if g["name"] == "natcap-" + gateway][0]
        name = "NatPortAllocationFailing" if rule == "failing" else "NatPortsNearExhaustion"
        r = [x for x in grp["rules"] if x["alert"] == name][0]
        hold = prom_seconds(r["for"])
        if rule == "failing":
            # increase() over the window > 0: a datapoint with new failures
            return dict(col=lambda e: e["alloc_failures"], op=">", thr=0.0, m=1, n=1, delay=0)
        thr = float(re.search(r">=\s*([0-9.]+)\s*$", r["expr"]).group(1))
        n = int(round(hold / period)) + 1
        return dict(col=lambda e: e["in_use"], op=">=", thr=thr, m=n, n=n, delay=0)
    if platform == "aws":
        alarms = json.load(open(os.path.join(d, "cloudwatch-%s.json" % safe)))
        a = [x for x in alarms if x["AlarmName"].endswith("-" + rule)][0]
        col = {"ActiveConnectionCount": lambda e: e["open"],
               "ConnectionEstablishedCount": lambda e: [x - y for x, y in zip(e["attempts"], e["alloc_failures"])],
               "ConnectionAttemptCount": lambda e: e["attempts"],
               "ErrorPortAllocation": lambda e: e["alloc_failures"]}[a["MetricName"]]
        op = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">="}[a["ComparisonOperator"]]
        return dict(col=col, op=op, thr=float(a["Threshold"]), m=a["DatapointsToAlarm"],
                    n=a["EvaluationPeriods"], delay=0)
    if platform == "gcp":
        p = json.load(open(os.path.join(d, "gcp-%s.json" % safe)))
        c = [x for x in p["conditions"] if (" %s: " % rule) in x["displayName"]][0]["conditionThreshold"]
        mt = re.search(r'metric\.type="([^"]+)"', c["filter"]).group(1)
        col = {"compute.googleapis.com/nat/port_usage": lambda e: e["in_use_max"],
               "compute.googleapis.com/nat/dropped_sent_packets_count": lambda e: e["alloc_failures"]}[mt]
        align = float(c["aggregations"][0]["alignmentPeriod"].rstrip("s"))
        n = int(round(float(c["duration"].rstrip("s")) / align)) + 1
        op = {"COMPARISON_GT": ">", "COMPARISON_GE": ">="}[c["comparison"]]
        return dict(col=col, op=op, thr=float(c["thresholdValue"]), m=n, n=n, delay=180)
    t = json.load(open(os.path.join(d, "azure-%s.json" % safe)))
    res = [x for x in t["resources"] if x["name"].endswith("-" + rule)][0]["properties"]
    c = res["criteria"]["allOf"][0]
    dims = {x["name"]: x["values"][0] for x in c.get("dimensions", [])}
    name = c["metricName"]
    if name in ("SNATConnectionCount", "SnatConnectionCount"):
        col = (lambda e: e["alloc_failures"]) if dims.get("ConnectionState") == "Failed" else (lambda e: e["attempts"])
    else:
        col = {"TotalConnectionCount": lambda e: e["open"], "UsedSnatPorts": lambda e: e["in_use"]}[name]
    win = int(round(AZ_ISO[res["windowSize"]] / period))
    op = {"GreaterThan": ">", "GreaterThanOrEqual": ">="}[c["operator"]]
    agg = c["timeAggregation"]
    if agg != "Total" and win != 1:
        problems.append("%s: a gauge over a window of %d datapoints is not modelled" % (gateway, win))
    # Total over the window breaches (a count > 0) iff some datapoint does; a one-datapoint window is the point
    return dict(col=col, op=op, thr=float(c["threshold"]), m=1, n=win, delay=0, total=(agg == "Total"))

def fire(rule, e):
    x = rule["col"](e)
    n, m = rule["n"], rule["m"]
    for k in range(len(x)):
        lo = max(0, k - n + 1)
        w = x[lo:k + 1]
        if rule.get("total") and rule["n"] > 1:
            hit = (sum(w) > rule["thr"]) if rule["op"] == ">" else (sum(w) >= rule["thr"])
        else:
            hits = sum(1 for v in w if (v > rule["thr"] if rule["op"] == ">" else v >= rule["thr"]))
            hit = hits >= m
        if hit:
            return e["t"][k] + rule["delay"]
    return None

rows = list(csv.DictReader(open(os.path.join(out, "alerts.csv"), newline="")))
cache = {}
checked = 0
for row in rows:
    sc, gw = row["scenario"], row["gateway"]
    if sc not in cache:
        cache[sc] = series(os.path.join(out, sc, "alert_series.csv"))
    reps = {k[1]: v for k, v in cache[sc].items() if k[0] == gw}
    period = reps[1]["t"][0]
    rule = rule_for(row["platform"], gw, row["rule"], period)
    detected = failing = false_alarms = 0
    leads = []
    for j, e in sorted(reps.items()):
        t = fire(rule, e)
        if e["ff"] != "":
            failing += 1
            if t is not None:
                detected += 1
                leads.append((float(e["ff"]) - t) / 60.0)
        elif t is not None:
            false_alarms += 1
    got = (int(row["detected_replications"]), int(row["failing_replications"]),
           int(row["false_alarm_replications"]), int(row["replications"]))
    want = (detected, failing, false_alarms, len(reps))
    where = "%s/%s/%s" % (sc, gw, row["rule"])
    if got != want:
        problems.append("%s: natcap detected/failing/false/reps %s, independent %s" % (where, got, want))
    for col, p in (("lead_p05_minutes", 0.05), ("lead_median_minutes", 0.5)):
        q = quantile(leads, p)
        if (q is None) != (row[col] == "") or (q is not None and abs(q - float(row[col])) > 0.006):
            problems.append("%s: %s natcap %r, independent %r" % (where, col, row[col], q))
    checked += 1

for p in problems:
    print("evaluate: " + p)
if problems or checked == 0:
    sys.exit(1)
print("evaluate: %d rule rows of %s agree with an independent evaluation" % (checked, out))
