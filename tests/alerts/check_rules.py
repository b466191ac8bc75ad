#!/usr/bin/env python3
"""check_rules.py DIR: check natcap's rule files in DIR (OUTPUT/alerts) against
the platforms' own definitions, offline.

- cloudwatch-*.json: every element is validated as PutMetricAlarm input by
  botocore's own parameter validation (the CloudWatch API model shipped in
  python3-botocore) and serialised by its query serializer; plus the members
  the API reference marks required (AlarmName, EvaluationPeriods,
  ComparisonOperator) and the AWS/NATGateway metric names.
- gcp-*.json: an AlertPolicy of the Cloud Monitoring API v3 (projects.alertPolicies):
  required fields and the value sets of ComparisonType, Aligner, combiner,
  severity, the Duration format and the Cloud NAT metric types.
- azure-*.json: an ARM deployment template of Microsoft.Insights/metricAlerts
  (api-version 2018-03-01): required properties and the value sets of
  severity, evaluationFrequency, windowSize, odata.type, criterionType,
  operator, timeAggregation, dimension operator and the metric names of
  Microsoft.Network/natGateways and loadBalancers.
Exit 1 listing every problem."""
import glob, json, os, re, sys

problems = []
def bad(f, msg):
    problems.append("%s: %s" % (os.path.basename(f), msg))

d = sys.argv[1]
files = sorted(glob.glob(os.path.join(d, "*.json")))
if not files:
    print("check_rules: no JSON rule files in %s" % d)

# ---- CloudWatch -----------------------------------------------------------------
cw = [f for f in files if os.path.basename(f).startswith("cloudwatch-")]
if cw:
    import botocore.session
    from botocore.validate import validate_parameters
    client = botocore.session.get_session().create_client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    op = client.meta.service_model.operation_model("PutMetricAlarm")
    NATGW = {"ActiveConnectionCount", "BytesInFromDestination", "BytesInFromSource",
             "BytesOutToDestination", "BytesOutToSource", "ConnectionAttemptCount",
             "ConnectionEstablishedCount", "ErrorPortAllocation", "IdleTimeoutCount",
             "PacketsDropCount", "PacketsInFromDestination", "PacketsInFromSource",
             "PacketsOutToDestination", "PacketsOutToSource"}
    for f in cw:
        alarms = json.load(open(f))
        if not isinstance(alarms, list) or len(alarms) != 2:
            bad(f, "expected a list of two put-metric-alarm inputs")
            continue
        for a in alarms:
            try:
                validate_parameters(a, op.input_shape)
                client._serializer.serialize_to_request(a, op)
            except Exception as e:   # botocore's ParamValidationError lists every problem
                bad(f, "botocore: %s" % e)
            # botocore does not check enums: check them against the same model
            for k, v in a.items():
                shape = op.input_shape.members.get(k)
                if shape is not None and getattr(shape, "enum", None) and v not in shape.enum:
                    bad(f, "%s %r not one of the API's values %s" % (k, v, shape.enum))
            for k in ("AlarmName", "EvaluationPeriods", "ComparisonOperator", "Threshold",
                      "MetricName", "Namespace", "Statistic", "Period"):
                if k not in a:
                    bad(f, "missing %s" % k)
            if a.get("Namespace") != "AWS/NATGateway" or a.get("MetricName") not in NATGW:
                bad(f, "not an AWS/NATGateway metric: %r" % a.get("MetricName"))
            if a.get("DatapointsToAlarm", 1) > a.get("EvaluationPeriods", 0):
                bad(f, "DatapointsToAlarm > EvaluationPeriods")
            if len(a.get("AlarmDescription", "")) > 1024:
                bad(f, "AlarmDescription longer than 1024")
            if a.get("Period") not in (10, 30) and a.get("Period", 1) % 60 != 0:
                bad(f, "Period must be 10, 30 or a multiple of 60")

# ---- Cloud Monitoring ---------------------------------------------------------------
DURATION = re.compile(r"^-?[0-9]+(\.[0-9]{1,9})?s$")
COMPARISON = {"COMPARISON_UNSPECIFIED", "COMPARISON_GT", "COMPARISON_GE", "COMPARISON_LT",
              "COMPARISON_LE", "COMPARISON_EQ", "COMPARISON_NE"}
ALIGNER = {"ALIGN_NONE", "ALIGN_DELTA", "ALIGN_RATE", "ALIGN_INTERPOLATE", "ALIGN_NEXT_OLDER",
           "ALIGN_MIN", "ALIGN_MAX", "ALIGN_MEAN", "ALIGN_COUNT", "ALIGN_SUM", "ALIGN_STDDEV",
           "ALIGN_COUNT_TRUE", "ALIGN_COUNT_FALSE", "ALIGN_FRACTION_TRUE", "ALIGN_PERCENTILE_99",
           "ALIGN_PERCENTILE_95", "ALIGN_PERCENTILE_50", "ALIGN_PERCENTILE_05",
           "ALIGN_PERCENT_CHANGE"}
NAT_METRICS = {"compute.googleapis.com/nat/allocated_ports", "compute.googleapis.com/nat/port_usage",
               "compute.googleapis.com/nat/dropped_sent_packets_count",
               "compute.googleapis.com/nat/dropped_received_packets_count",
               "compute.googleapis.com/nat/open_connections",
               "compute.googleapis.com/nat/new_connections_count",
               "compute.googleapis.com/nat/closed_connections_count"}
for f in (f for f in files if os.path.basename(f).startswith("gcp-")):
    p = json.load(open(f))
    for k in ("displayName", "combiner", "conditions"):
        if k not in p:
            bad(f, "missing %s" % k)
    if p.get("combiner") not in ("AND", "OR", "AND_WITH_MATCHING_RESOURCE"):
        bad(f, "combiner %r" % p.get("combiner"))
    if p.get("severity", "ERROR") not in ("CRITICAL", "ERROR", "WARNING"):
        bad(f, "severity %r" % p.get("severity"))
    doc = p.get("documentation", {})
    if doc and doc.get("mimeType") not in ("text/markdown",):
        bad(f, "documentation.mimeType %r" % doc.get("mimeType"))
    if not p.get("conditions") or len(p["conditions"]) > 6:
        bad(f, "conditions: 1 to 6 expected")
    for c in p.get("conditions", []):
        kinds = [k for k in c if k.startswith("condition")]
        if "displayName" not in c or len(kinds) != 1:
            bad(f, "a condition needs displayName and exactly one condition type")
            continue
        ct = c.get("conditionThreshold", {})
        m = re.search(r'metric\.type="([^"]+)"', ct.get("filter", ""))
        if not m or m.group(1) not in NAT_METRICS:
            bad(f, "filter names no Cloud NAT metric: %r" % ct.get("filter"))
        if ct.get("comparison") not in COMPARISON - {"COMPARISON_UNSPECIFIED"}:
            bad(f, "comparison %r" % ct.get("comparison"))
        if not DURATION.match(ct.get("duration", "")):
            bad(f, "duration %r" % ct.get("duration"))
        if not isinstance(ct.get("thresholdValue"), (int, float)):
            bad(f, "thresholdValue")
        for a in ct.get("aggregations", []):
            if not DURATION.match(a.get("alignmentPeriod", "")) or a.get("perSeriesAligner") not in ALIGNER:
                bad(f, "aggregation %r" % a)
        t = ct.get("trigger", {})
        if set(t) - {"count", "percent"} or not isinstance(t.get("count", 1), int):
            bad(f, "trigger %r" % t)

# ---- Azure Monitor --------------------------------------------------------------------
FREQ = {"PT1M", "PT5M", "PT15M", "PT30M", "PT1H"}
WINDOW = FREQ | {"PT6H", "PT12H", "P1D"}
AZ_METRICS = {"Microsoft.Network/natGateways": {"ByteCount", "DatapathAvailability", "PacketCount",
                                                "PacketDropCount", "SNATConnectionCount",
                                                "TotalConnectionCount"},
              "Microsoft.Network/loadBalancers": {"AllocatedSnatPorts", "UsedSnatPorts",
                                                  "SnatConnectionCount", "ByteCount", "PacketCount",
                                                  "SYNCount", "VipAvailability", "DipAvailability"}}
for f in (f for f in files if os.path.basename(f).startswith("azure-")):
    t = json.load(open(f))
    if not t.get("$schema", "").endswith("deploymentTemplate.json#") or "contentVersion" not in t:
        bad(f, "not an ARM deployment template ($schema, contentVersion)")
    for r in t.get("resources", []):
        if r.get("type") != "Microsoft.Insights/metricAlerts" or not r.get("apiVersion") or \
           not r.get("name") or r.get("location") != "global":
            bad(f, "resource type / apiVersion / name / location")
        pr = r.get("properties", {})
        for k in ("severity", "enabled", "scopes", "evaluationFrequency", "windowSize", "criteria"):
            if k not in pr:
                bad(f, "properties.%s missing" % k)
        if pr.get("severity") not in (0, 1, 2, 3, 4) or not isinstance(pr.get("enabled"), bool):
            bad(f, "severity / enabled")
        if pr.get("evaluationFrequency") not in FREQ or pr.get("windowSize") not in WINDOW:
            bad(f, "evaluationFrequency / windowSize %r %r" % (pr.get("evaluationFrequency"), pr.get("windowSize")))
        cr = pr.get("criteria", {})
        if cr.get("odata.type") not in ("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                                        "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria"):
            bad(f, "criteria odata.type %r" % cr.get("odata.type"))
        for c in cr.get("allOf", []):
            if c.get("criterionType") != "StaticThresholdCriterion" or not c.get("name"):
                bad(f, "criterionType / name")
            if c.get("metricName") not in AZ_METRICS.get(c.get("metricNamespace"), ()):
                bad(f, "metric %r of %r" % (c.get("metricName"), c.get("metricNamespace")))
            if c.get("operator") not in ("Equals", "GreaterThan", "GreaterThanOrEqual", "LessThan",
                                         "LessThanOrEqual"):
                bad(f, "operator %r" % c.get("operator"))
            if c.get("timeAggregation") not in ("Average", "Count", "Minimum", "Maximum", "Total"):
                bad(f, "timeAggregation %r" % c.get("timeAggregation"))
            if not isinstance(c.get("threshold"), (int, float)):
                bad(f, "threshold")
            for dm in c.get("dimensions", []):
                if not dm.get("name") or dm.get("operator") not in ("Include", "Exclude") or \
                   not isinstance(dm.get("values"), list) or not dm["values"]:
                    bad(f, "dimension %r" % dm)

for p in problems:
    print("check_rules: " + p)
if problems:
    sys.exit(1)
print("check_rules: %d file(s) in %s valid" % (len(files), d))
