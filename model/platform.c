/* platform.c - see platform.h. */
#include "platform.h"

#include <string.h>

static const char *const names[NC_PLATFORM_COUNT] = {"linux", "aws", "gcp", "azure", "azure_lb"};

const char *nc_platform_name(nc_platform p) { return p < NC_PLATFORM_COUNT ? names[p] : "linux"; }

int nc_platform_parse(const char *s)
{
    for (int i = 0; i < NC_PLATFORM_COUNT; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

nc_platform nc_platform_of(const nc_gateway *g)
{
    if (strncmp(g->preset, "gcp", 3) == 0)
        return NC_PLATFORM_GCP;
    int p = nc_platform_parse(g->preset);
    return p < 0 ? NC_PLATFORM_LINUX : (nc_platform)p;
}

const char *nc_platform_time_wait_setting(nc_platform p)
{
    switch (p) {
    case NC_PLATFORM_GCP: return "tcpTimeWaitTimeoutSec";
    case NC_PLATFORM_LINUX: return "net.netfilter.nf_conntrack_tcp_timeout_time_wait";
    default: return NULL;
    }
}

const char *nc_platform_nat_ip_setting(nc_platform p)
{
    switch (p) {
    case NC_PLATFORM_AWS: return "secondary Elastic IP addresses (AssociateNatGatewayAddress)";
    case NC_PLATFORM_GCP: return "natIps (Cloud NAT manual allocation)";
    case NC_PLATFORM_AZURE: return "publicIpAddresses / publicIpPrefixes";
    case NC_PLATFORM_AZURE_LB: return "frontendIPConfigurations of the outbound rule";
    default: return "iptables SNAT --to-source address range";
    }
}

const char *nc_platform_ports_setting(nc_platform p)
{
    switch (p) {
    case NC_PLATFORM_GCP: return "minPortsPerVm";
    case NC_PLATFORM_AZURE_LB: return "allocatedOutboundPorts";
    default: return NULL;
    }
}
