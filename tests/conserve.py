#!/usr/bin/env python3
"""conserve.py - conservation checks on natcap's result files.

    python3 tests/conserve.py OUTDIR...

For every row (scenario, gateway) of OUTDIR/summary.csv:

  * timeseries: every counter with a per-interval column X_mean in
    SCENARIO/timeseries.csv and a total X in summary.csv sums over the
    intervals, times the replications, to that total;
  * services: every counter column X of SCENARIO/services.csv that
    summary.csv also has sums over the gateway's service rows to the total.

Columns are found by their header names, so extra columns are fine and a new
counter that appears in both files (e.g. X_mean and X) is checked without
changing this script.  Columns that are levels or ratios, not counts, are
skipped (LEVELS, *_pct).  The means are printed with a few decimals, so each
interval's mean x replications is rounded to the integer it stands for
(exact while the rounding error, reps x 0.0005, stays below 0.5).

Prints one line per failure and exits 1; exits 0 when everything adds up
(and prints "conserve: N totals checked in DIR" with -v).
"""
import csv
import os
import sys

# Names that are in both files but are not counts summed over time or rows.
LEVELS = {"in_use", "active", "idle", "time_wait", "utilization", "open", "held",
          "replications", "capacity", "seed", "pools", "instances"}
KEYS = {"scenario", "gateway", "destination", "service", "time", "t_s", "rng"}


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ValueError(f"{path}: empty")
    head = rows[0]
    return head, [dict(zip(head, r)) for r in rows[1:] if r]


def number(s):
    try:
        return float(s)
    except ValueError:
        return None


def counter_name(x):
    return x not in LEVELS and x not in KEYS and not x.endswith("_pct") \
        and not x.startswith("peak_") and not x.startswith("first_")


def check_dir(d, verbose):
    errors = []
    checked = 0
    shead, summary = read(os.path.join(d, "summary.csv"))
    scols = set(shead)
    cache = {}
    for s in summary:
        scen, gw = s["scenario"], s["gateway"]
        reps = int(s["replications"])
        if scen not in cache:
            sub = os.path.join(d, scen)
            cache[scen] = (read(os.path.join(sub, "timeseries.csv")),
                           read(os.path.join(sub, "services.csv")))
        (thead, ts), (vhead, sv) = cache[scen]
        # per-interval series -> totals
        for c in thead:
            if not c.endswith("_mean"):
                continue
            x = c[:-5]
            if x not in scols or not counter_name(x):
                continue
            total = 0
            for r in ts:
                if r["gateway"] != gw:
                    continue
                v = number(r[c])
                if v is None:
                    errors.append(f"{d}/{scen}/timeseries.csv: {c} = {r[c]!r} is not a number")
                    break
                total += round(v * reps)
            want = number(s[x])
            checked += 1
            if want is None or total != round(want):
                errors.append(f"{d}: {scen}/{gw}: sum of timeseries {c} x {reps} replications = "
                              f"{total}, summary.csv {x} = {s[x]}")
        # service rows -> totals
        for x in vhead:
            if x not in scols or not counter_name(x):
                continue
            vals = [number(r[x]) for r in sv if r.get("gateway") == gw]
            if any(v is None or v != int(v) for v in vals):
                continue  # not a count
            want = number(s[x])
            checked += 1
            if want is None or sum(int(v) for v in vals) != round(want):
                errors.append(f"{d}: {scen}/{gw}: sum of services.csv {x} = "
                              f"{sum(int(v) for v in vals)}, summary.csv {x} = {s[x]}")
    if checked == 0:
        errors.append(f"{d}: no counter found in both timeseries/services and summary.csv")
    return errors, checked


def main(argv):
    verbose = "-v" in argv
    dirs = [a for a in argv if a != "-v"]
    if not dirs:
        print("usage: conserve.py [-v] OUTDIR...", file=sys.stderr)
        return 2
    bad = 0
    for d in dirs:
        try:
            errors, n = check_dir(d, verbose)
        except (OSError, ValueError, KeyError) as e:
            errors, n = [f"{d}: cannot check: {e}"], 0
        for e in errors:
            print("conserve: " + e)
        bad += len(errors)
        if verbose and not errors:
            print(f"conserve: {n} totals checked in {d}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
