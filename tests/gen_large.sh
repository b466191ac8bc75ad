#!/bin/sh
# gen_large.sh DIR [DURATION_H] [REPLICATIONS] - write a large, valid input set into DIR
# (issue 5, item 6): 200 gateways (every preset and plain ones), 1,000 destinations
# (every latency distribution), 1,000 services calling 5 destinations each = 5,000
# service rows (25,000 requests/s in all at multiplier 1), 3 profiles and 3 scenarios
# with selectors and scales.  Deterministic: the same files every time.
#
#   sh tests/gen_large.sh /tmp/large            # 24 h, 10 replications (validate)
#   sh tests/gen_large.sh /tmp/large 0.05 1     # a 3-minute day for memory checks
set -eu
dir=${1:?usage: gen_large.sh DIR [DURATION_H] [REPLICATIONS]}
dur=${2:-24}
reps=${3:-10}
mkdir -p "$dir"

awk 'BEGIN {
    print "gateway,preset,nat_ips,port_min,port_max,mapping,time_wait_s,idle_timeout_s"
    split("aws gcp azure azure_lb linux", p, " ")
    for (g = 0; g < 200; g++) {
        if (g % 4 == 3)
            printf "gw%03d,,%d,1024,65535,%s,%d,350\n", g, 1 + g % 3,
                   g % 8 == 3 ? "global" : "per_destination", 30 + g % 5 * 30
        else
            printf "gw%03d,%s,,,,,,\n", g, p[1 + g % 5]
    }
}' >"$dir/gateways.csv"

awk 'BEGIN {
    print "destination,addresses,port,latency_dist,latency_p50_ms,latency_p99_ms,handshake_ms"
    split("lognormal gamma weibull exponential constant", d, " ")
    for (i = 0; i < 1000; i++) {
        dist = d[1 + i % 5]
        p50 = 5 + i % 97
        p99 = dist == "constant" ? "" : 4 * p50 + i % 13
        printf "api%04d,%d,443,%s,%d,%s,%d\n", i, 1 + i % 4, dist, p50, p99, 10 + i % 40
    }
}' >"$dir/destinations.csv"

awk 'BEGIN {
    print "service,gateway,destination,instances,rps,profile,pool_max,pool_idle,keepalive_s,retries"
    split("day night flat", pr, " ")
    for (s = 0; s < 1000; s++)
        for (k = 0; k < 5; k++) {
            pooled = (s + k) % 3 == 0
            printf "svc%04d,gw%03d,api%04d,%d,%.2f,%s,%s,%s,90,%d\n", s, s % 200,
                   (s * 7 + k * 211) % 1000, 2 + s % 9, 0.25 + (s + k) % 5 * 0.125,
                   pr[1 + (s + k) % 3], pooled ? 16 : 0, pooled ? 4 : 0, (s + k) % 2
        }
}' >"$dir/services.csv"

cat >"$dir/profiles.csv" <<'EOF'
profile,time,multiplier
day,00:00,0.2
day,06:00,0.5
day,12:00,1
day,18:00,0.7
night,00:00,1
night,08:00,0.3
night,20:00,0.6
EOF

cat >"$dir/scenarios.csv" <<EOF
scenario,description,duration_h,warmup_h,replications,seed,sample_s,rate_scale,gateway,service,pool_idle,nat_ips
baseline,large generated input set,$dur,0,$reps,1,60,,,,,
growth,50 % more traffic,$dur,0,$reps,2,60,1.5,,,,
fix,pooling for one service plus IPs on one gateway,$dur,0,$reps,3,60,,,svc0001,8,
fix,,,,,,,,gw007,,,4
EOF
echo "gen_large: $dir: 200 gateways, 1000 destinations, 5000 service rows, 3 scenarios" \
     "(${dur} h x $reps replications)"
