/* plan_knobs.c - see plan_knobs.h.  Values and sources: README, "What each
 * platform lets you change". */
#include "plan_knobs.h"

#include <string.h>

static const plan_knobs table[] = {
    {.platform = "aws", .max_nat_ips = 8, .default_nat_ips = 2,
     .nat_ips_limit = "an AWS NAT gateway takes at most 8 IPv4 addresses (2 without a quota increase)",
     .time_wait = 0,
     .time_wait_na = "AWS NAT Gateway has no setting for how long a closed connection holds its port",
     .ports_per_instance = 0, .ppi_na = "AWS NAT Gateway does not reserve ports per instance"},
    {.platform = "gcp", .max_nat_ips = 300, .default_nat_ips = 0,
     .nat_ips_limit = "searched up to 300 NAT IPs (the quota gcpdiag checks for manual NAT IPs)",
     .time_wait = 1, .ports_per_instance = 1, .ppi_pow2 = 1, .ppi_min = 2},
    {.platform = "azure", .max_nat_ips = 16, .default_nat_ips = 0,
     .nat_ips_limit = "an Azure NAT gateway takes at most 16 public IPv4 addresses",
     .time_wait = 0,
     .time_wait_na = "Azure NAT Gateway holds a closed port for a fixed 65 s (16 s after a RST); "
                     "only the idle timeout (4-120 min) can be changed",
     .ports_per_instance = 0, .ppi_na = "Azure NAT Gateway allocates ports on demand, not per instance",
     .idle_timeout = 1, .idle_min_s = 240, .idle_max_s = 7200},
    {.platform = "azure_lb", .max_nat_ips = 1024, .default_nat_ips = 0,
     .nat_ips_limit = "searched up to 1024 frontend IPs (no limit in the sources natcap cites)",
     .time_wait = 0,
     .time_wait_na = "Azure Load Balancer reclaims a closed connection's SNAT port only after "
                     "4 minutes, and no setting releases it sooner",
     .ports_per_instance = 1, .ppi_step = 8, .ppi_min = 8,
     .idle_timeout = 1, .idle_min_s = 240, .idle_max_s = 7200},
    {.platform = "linux", .max_nat_ips = 1024, .default_nat_ips = 0,
     .nat_ips_limit = "searched up to 1024 NAT IPs", .time_wait = 1, .ports_per_instance = 1,
     .ppi_min = 1, .idle_timeout = 1, .idle_min_s = 1, .idle_max_s = 1e9},
    {.platform = "custom", .max_nat_ips = 1024, .default_nat_ips = 0,
     .nat_ips_limit = "searched up to 1024 NAT IPs", .time_wait = 1, .ports_per_instance = 1,
     .ppi_min = 1, .idle_timeout = 1, .idle_min_s = 1, .idle_max_s = 1e9},
};

const plan_knobs *plan_knobs_of(const nc_gateway *gw)
{
    size_t n = sizeof table / sizeof table[0];
    for (size_t i = 0; i + 1 < n; i++)
        if (strcmp(gw->preset, table[i].platform) == 0)
            return &table[i];
    /* gcp_dpa and any later variant of a platform: its base platform */
    for (size_t i = 0; i + 1 < n; i++) {
        size_t len = strlen(table[i].platform);
        if (strncmp(gw->preset, table[i].platform, len) == 0 && gw->preset[len] == '_' &&
            strcmp(table[i].platform, "azure") != 0)
            return &table[i];
    }
    return &table[n - 1];
}

uint32_t plan_knobs_ppi_nth(const plan_knobs *k, uint64_t i, uint32_t max)
{
    uint64_t v;
    if (k->ppi_pow2) {
        uint64_t lo = 1;
        while (lo < k->ppi_min)
            lo *= 2;
        if (i > 20)
            return 0;
        v = lo << i;
    } else {
        uint64_t step = k->ppi_step > 1 ? k->ppi_step : 1;
        uint64_t lo = (k->ppi_min + step - 1) / step * step;
        v = lo + i * step;
    }
    return v <= max ? (uint32_t)v : 0;
}

uint32_t plan_knobs_ppi_floor(const plan_knobs *k, uint64_t ppi)
{
    uint32_t best = 0;
    if (k->ppi_pow2) {
        for (uint64_t i = 0;; i++) {
            uint32_t v = plan_knobs_ppi_nth(k, i, 65536);
            if (v == 0 || v > ppi)
                break;
            best = v;
        }
        return best;
    }
    uint64_t step = k->ppi_step > 1 ? k->ppi_step : 1;
    uint64_t v = ppi / step * step;
    return v >= k->ppi_min && v <= 65536 ? (uint32_t)v : 0;
}

uint32_t plan_knobs_ppi_ceil(const plan_knobs *k, uint64_t ppi)
{
    if (k->ppi_pow2) {
        for (uint64_t i = 0;; i++) {
            uint32_t v = plan_knobs_ppi_nth(k, i, 65536);
            if (v == 0 || v >= ppi)
                return v;
        }
    }
    uint64_t step = k->ppi_step > 1 ? k->ppi_step : 1;
    uint64_t v = (ppi + step - 1) / step * step;
    if (v < k->ppi_min)
        v = (k->ppi_min + step - 1) / step * step;
    return v <= 65536 ? (uint32_t)v : 0;
}
