/*
 * config.h - the resolved inputs of one scenario, as the model sees them.
 *
 * io/csv_in builds these from the CSV files: presets, defaults, the
 * scenario's overrides, selectors and scales are all applied already, so the
 * model never looks at a CSV detail.  Plain transparent structs: tests build
 * them on the stack.  Units are in the field names.
 */
#ifndef NATCAP_MODEL_CONFIG_H
#define NATCAP_MODEL_CONFIG_H

#include <stdint.h>
#include <stddef.h>

#define NC_NAME_MAX 64

typedef enum nc_mapping {
    NC_MAPPING_GLOBAL = 0,          /* one (IP, port) serves one connection */
    NC_MAPPING_PER_DESTINATION = 1  /* the same (IP, port) may serve other destination addresses */
} nc_mapping;

typedef enum nc_latency_dist {
    NC_LAT_LOGNORMAL = 0,
    NC_LAT_GAMMA,
    NC_LAT_WEIBULL,
    NC_LAT_EXPONENTIAL,
    NC_LAT_CONSTANT
} nc_latency_dist;

/* How a gateway finds a free port in a pool: any free port is found
 * (counter), or Linux's nf_nat search, which can miss the last free ports
 * of a nearly full pool (model/port_map.h). */
typedef enum nc_port_selection {
    NC_PORTS_COUNTER = 0,
    NC_PORTS_LINUX_PROBE
} nc_port_selection;

typedef struct nc_gateway {
    char name[NC_NAME_MAX + 1];
    char preset[16];                  /* "" or the preset name, for reports */
    uint32_t nat_ips;                 /* >= 1 */
    uint32_t port_min, port_max;      /* 1..65535, min <= max */
    nc_mapping mapping;
    uint32_t per_destination_limit;   /* >= 1; defaulted to port_max-port_min+1 */
    uint32_t ports_per_instance;      /* 0 = shared; azure_lb table already applied */
    double time_wait_s;               /* >= 0 */
    double idle_timeout_s;            /* > 0 */
    double rst_hold_s;                /* >= 0: a port closed by an RST is held this long */
    int idle_reset;                   /* 1: an idle timeout resets the connection (its port
                                         is held rst_hold_s); 0: dropped, free at once */
    nc_port_selection port_selection; /* how a free port of a pool is found */
} nc_gateway;

typedef struct nc_destination {
    char name[NC_NAME_MAX + 1];
    uint32_t addresses;               /* >= 1 */
    uint32_t port;                    /* 1..65535 */
    nc_latency_dist latency_dist;
    double latency_p50_ms;            /* > 0 */
    double latency_p99_ms;            /* > p50; 0 when not given (exponential, constant) */
    double handshake_ms;              /* >= 0 */
} nc_destination;

/* Piecewise-linear daily load shape, periodic over 24 h. */
typedef struct nc_profile {
    char name[NC_NAME_MAX + 1];
    size_t npoints;                   /* >= 1 */
    double *time_s;                   /* strictly ascending, within [0, 86400] */
    double *multiplier;               /* >= 0 */
} nc_profile;

typedef struct nc_service {
    char name[NC_NAME_MAX + 1];
    size_t gateway;                   /* index into nc_scenario.gateways */
    size_t destination;               /* index into nc_scenario.destinations */
    size_t profile;                   /* index into nc_scenario.profiles */
    uint64_t instances;               /* >= 1, after instance_scale (rounded up) */
    double rps;                       /* >= 0, per instance, after rate_scale */
    uint32_t pool_max;                /* 0 = no limit */
    uint32_t pool_idle;               /* 0 = no pooling */
    double keepalive_s;               /* > 0 */
    double pool_wait_timeout_s;       /* > 0 */
    double connect_timeout_s;         /* > 0 */
    uint32_t syn_retries;
    uint32_t retries;
    double retry_backoff_s;           /* >= 0 */
    double rst_close_fraction;        /* 0..1: share of its connections closed by an RST */
    long line;                        /* line in services.csv, for messages */
} nc_service;

/* Longest pool name, as in summary.csv's binding_pool ("SERVICE#I>DESTINATION#K"). */
#define NC_POOL_NAME_MAX (2 * NC_NAME_MAX + 23)

/* One pool of one gateway, numbered within the gateway as model/topology.h lays
 * them out. */
typedef struct nc_pool_ref {
    size_t gw;
    uint64_t pool;
    char name[NC_POOL_NAME_MAX + 1];
} nc_pool_ref;

typedef struct nc_scenario {
    char name[NC_NAME_MAX + 1];
    char *description;                /* owned, never NULL ("" when empty) */
    double duration_h;                /* > 0 */
    double warmup_h;                  /* >= 0 */
    uint32_t replications;            /* >= 1 */
    uint64_t seed;
    double sample_s;                  /* > 0 */
    double rate_scale;                /* as given (already applied to rps) */
    double instance_scale;            /* as given (already applied to instances) */
    size_t ngateways, ndestinations, nservices, nprofiles;
    nc_gateway *gateways;             /* owned arrays */
    nc_destination *destinations;
    nc_service *services;
    nc_profile *profiles;             /* index 0 is always the built-in "flat" */
    long line;                        /* first line in scenarios.csv, 0 without the file */
    int observed;                     /* scenarios.csv observed = yes: compared with observed.csv */
    /* pools whose own series are recorded besides the fullest pool's (those that
     * observed.csv's pool column names; set before the run, not by the loader):
     * owned, [nwatch], NULL when none */
    nc_pool_ref *watch;
    size_t nwatch;
} nc_scenario;

/* Everything loaded from an input directory. */
typedef struct nc_input {
    char *dir;                        /* as given on the command line */
    size_t nscenarios;
    nc_scenario *scenarios;           /* in order of first appearance in scenarios.csv */
    /* counts of rows as loaded, for `natcap validate` */
    size_t ngateways, ndestinations, nservices, nprofiles;
} nc_input;

/* Free every owned member and zero the struct.  NULL is a no-op. */
void nc_scenario_free(nc_scenario *sc);
void nc_input_free(nc_input *in);

/* Deep copy (for what-if variants, e.g. natcap plan).  0 on success. */
int nc_scenario_copy(nc_scenario *dst, const nc_scenario *src);

/* Size of one allocation pool of gateway g (SPEC §2 "Allocation pools"). */
uint64_t nc_gateway_pool_capacity(const nc_gateway *g);
/* Ports per NAT IP: port_max - port_min + 1. */
uint64_t nc_gateway_port_range(const nc_gateway *g);

#endif
