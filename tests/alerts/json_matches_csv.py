#!/usr/bin/env python3
"""json_matches_csv.py CSV JSON [--recommendations]: check that JSON (natcap's
summary.json / plan.json) holds every figure of CSV, read here with Python's
own csv module: same columns in the same order, one object per row, empty
cells null, numeric cells JSON numbers equal to the CSV text, the rest
strings.  Exit 1 with a message on the first difference."""
import csv, json, sys

NAMES = ("scenario", "gateway", "service", "destination", "binding_pool", "pool", "rng",
         "rule", "platform", "metric", "source", "description")

def is_number(s):
    try:
        float(s)
        return s.strip() == s and s.lower() not in ("nan", "inf", "-inf", "infinity")
    except ValueError:
        return False

def fail(msg):
    print("json_matches_csv: " + msg)
    sys.exit(1)

rows = [r for r in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))
        if r and not r[0].startswith("#")]
doc = json.load(open(sys.argv[2], encoding="utf-8"))
head, body = rows[0], rows[1:]
if doc.get("columns") != head:
    fail("columns differ: %r vs %r" % (doc.get("columns"), head))
if len(doc["rows"]) != len(body):
    fail("%d rows in JSON, %d in CSV" % (len(doc["rows"]), len(body)))
for i, (r, o) in enumerate(zip(body, doc["rows"])):
    if list(o.keys()) != head:
        fail("row %d: keys %r" % (i, list(o.keys())))
    for h, cell in zip(head, r):
        v = o[h]
        if cell == "":
            if v is not None:
                fail("row %d %s: empty cell but %r" % (i, h, v))
        elif isinstance(v, bool) or v is None:
            fail("row %d %s: %r for %r" % (i, h, v, cell))
        elif isinstance(v, (int, float)):
            if h in ("scenario", "gateway"):
                fail("row %d %s: a name became a number" % (i, h))
            if float(cell) != float(v):
                fail("row %d %s: %r in JSON, %r in CSV" % (i, h, v, cell))
            if isinstance(v, int) != ("." not in cell and "e" not in cell.lower()):
                fail("row %d %s: integer/real mismatch %r vs %r" % (i, h, v, cell))
        elif v != cell:
            fail("row %d %s: %r in JSON, %r in CSV" % (i, h, v, cell))
        elif h not in NAMES and is_number(cell):
            fail("row %d %s: the number %r is a string in JSON" % (i, h, cell))
if "--recommendations" in sys.argv:
    recs = doc.get("recommendations")
    if not isinstance(recs, list) or len(recs) != len(body):
        fail("recommendations: one per scenario and gateway expected")
    for rec, r in zip(recs, body):
        row = dict(zip(head, r))
        if (rec["scenario"], rec["gateway"]) != (row["scenario"], row["gateway"]):
            fail("recommendations out of order")
        need = row["min_nat_ips"]
        if (rec["nat_ips"]["needed"] is None) != (need == "") or \
           (need != "" and rec["nat_ips"]["needed"] != int(need)):
            fail("nat_ips.needed %r vs min_nat_ips %r" % (rec["nat_ips"]["needed"], need))
        if rec["nat_ips"]["current"] != int(row["nat_ips"]):
            fail("nat_ips.current")
        tw = rec["time_wait"]
        if tw["configurable"] and row["time_wait_s_needed"] != "" and \
           abs(tw["needed_s"] - float(row["time_wait_s_needed"])) > 0.05:
            fail("time_wait.needed_s")
print("json_matches_csv: %s = %s (%d rows)" % (sys.argv[2], sys.argv[1], len(body)))
