/*
 * warn.h - settings that load without error but contradict each other
 * (warnings on stderr for `natcap validate` and `natcap run`, exit 0):
 *  - keepalive_s >= the gateway's idle_timeout_s on a row that pools
 *    connections (the gateway drops idle mappings first: stale reuses);
 *  - pool_idle > pool_max when pool_max > 0 (pool_max caps it);
 *  - per_destination_limit above the ports per IP (it never binds);
 *  - instances without ports (ports_per_instance beyond what the NAT IPs
 *    can reserve; model/topology.h words it).
 * A warning that holds in every scenario is given once; one that holds in
 * some only names them.
 */
#ifndef NATCAP_IO_WARN_H
#define NATCAP_IO_WARN_H

#include "../model/config.h"
#include "../model/status.h"

typedef struct nc_warnings {
    size_t n;
    char **msg;                  /* [n], owned; without the "natcap: warning: " prefix */
} nc_warnings;

/* NC_ENOMEM, else NC_OK; out is filled (maybe n = 0). */
nc_status nc_input_warnings(const nc_input *in, nc_warnings *out);
void nc_warnings_free(nc_warnings *w);   /* NULL is a no-op */

#endif
