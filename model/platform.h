/*
 * platform.h - which NAT product a gateway is, for the alert rules and the
 * recommendations (natcap alerts, plan.json): the gateway's preset, or
 * linux (conntrack behind Prometheus' node_exporter) when it has none.
 */
#ifndef NATCAP_MODEL_PLATFORM_H
#define NATCAP_MODEL_PLATFORM_H

#include "config.h"

typedef enum nc_platform {
    NC_PLATFORM_LINUX,
    NC_PLATFORM_AWS,
    NC_PLATFORM_GCP,
    NC_PLATFORM_AZURE,
    NC_PLATFORM_AZURE_LB,
    NC_PLATFORM_COUNT
} nc_platform;

/* "linux", "aws", "gcp", "azure", "azure_lb". */
const char *nc_platform_name(nc_platform p);

/* -1 when `s` names no platform. */
int nc_platform_parse(const char *s);

/* The gateway's platform: its preset's, else linux. */
nc_platform nc_platform_of(const nc_gateway *g);

/* Whether the platform lets the user set the TIME_WAIT hold (GCP's
 * tcpTimeWaitTimeoutSec, Linux's nf_conntrack_tcp_timeout_time_wait), and
 * the setting's name; NULL when it is fixed. */
const char *nc_platform_time_wait_setting(nc_platform p);

/* The setting that adds NAT IPs, and the one that sets ports per instance
 * (NULL when the platform has none). */
const char *nc_platform_nat_ip_setting(nc_platform p);
const char *nc_platform_ports_setting(nc_platform p);

#endif
