/*
 * plan_knobs.h - what each platform lets a user change, for `natcap plan`.
 *
 * A gateway's preset (gateways.csv `preset`) names its platform; plan asks
 * only the questions whose knob that platform exposes, within its limits,
 * and answers the others "n/a" with the reason.  No preset: every knob, as
 * for linux.  The limits and their sources are listed in the README
 * ("Capacity planning: natcap plan", "What each platform lets you change").
 */
#ifndef NATCAP_MODEL_PLAN_KNOBS_H
#define NATCAP_MODEL_PLAN_KNOBS_H

#include "config.h"

#include <stdint.h>

typedef struct plan_knobs {
    const char *platform;        /* "aws", ..., or "custom" (no preset) */
    /* NAT IPs: always a knob; searched in [1, max_nat_ips] */
    uint32_t max_nat_ips;
    uint32_t default_nat_ips;    /* 0, or what a gateway gets without a quota request */
    const char *nat_ips_limit;   /* why max_nat_ips, for notes */
    /* TIME_WAIT (the hold of a closed connection's mapping) */
    int time_wait;
    const char *time_wait_na;    /* reason when !time_wait */
    /* ports reserved per instance (only on per-instance layouts) */
    int ports_per_instance;
    uint32_t ppi_step;           /* > 1: a multiple of it (azure_lb: 8) */
    int ppi_pow2;                /* a power of two (gcp rounds up to one) */
    uint32_t ppi_min;
    const char *ppi_na;          /* reason when !ports_per_instance */
    /* idle timeout: listed for the notes; plan does not search it */
    int idle_timeout;
    double idle_min_s, idle_max_s;
    /* client connection pooling: a client setting, on every platform */
} plan_knobs;

/* The knobs of gateway gw's platform (a static table; never NULL). */
const plan_knobs *plan_knobs_of(const nc_gateway *gw);

/* The largest ports_per_instance at most `ppi` that the platform accepts
 * (0 when none >= ppi_min). */
uint32_t plan_knobs_ppi_floor(const plan_knobs *k, uint64_t ppi);
/* The smallest accepted ports_per_instance >= ppi (0 when above 65536). */
uint32_t plan_knobs_ppi_ceil(const plan_knobs *k, uint64_t ppi);
/* The accepted ports_per_instance values in ascending order: the i-th
 * (0-based), or 0 past the end (capped at `max`). */
uint32_t plan_knobs_ppi_nth(const plan_knobs *k, uint64_t i, uint32_t max);

#endif
