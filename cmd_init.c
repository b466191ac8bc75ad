/*
 * cmd_init.c - `natcap init [--preset P] DIR`: write a small commented input
 * set for one platform, to edit into the user's own.  The set validates and
 * runs as written (tests/e2e_cli.sh runs every preset's).  Existing files
 * are never overwritten: if any of the five is there, nothing is written
 * (exit 73).
 */
#define _GNU_SOURCE
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const cmd_init_presets[] = {"aws", "gcp", "azure", "azure_lb", "linux"};
const size_t cmd_init_npresets = sizeof cmd_init_presets / sizeof cmd_init_presets[0];

int cmd_init_preset_known(const char *name)
{
    for (size_t i = 0; i < cmd_init_npresets; i++)
        if (strcmp(cmd_init_presets[i], name) == 0)
            return 1;
    return 0;
}

/* What differs between platforms: the gateway file, and a sentence for
 * the services and scenarios files. */
typedef struct platform {
    const char *name;
    const char *gateways;   /* the whole of gateways.csv */
    const char *note;       /* one comment line for services.csv */
} platform;

static const platform platforms[] = {
    {"aws",
     "# gateways.csv - one AWS NAT Gateway (preset aws).\n"
     "# The preset fills what the platform fixes: mapping per_destination (a port can be\n"
     "#   reused towards different destination addresses), at most 55000 simultaneous\n"
     "#   connections from one NAT IP to one destination address (per_destination_limit),\n"
     "#   ports 1024-65535, TIME_WAIT 60 s and a 350 s idle timeout. AWS lets you change\n"
     "#   neither timeout; what you can change is nat_ips (secondary IPs on the gateway).\n"
     "# Any column given here wins over the preset (see the README's gateways.csv table).\n"
     "gateway,preset,nat_ips\n"
     "egress,aws,1\n",
     "# On AWS the pools are per destination address: 55000 ports towards each address."},
    {"gcp",
     "# gateways.csv - one Google Cloud NAT gateway with static port allocation (preset gcp).\n"
     "# The preset fills: mapping per_destination, 64 ports reserved per VM\n"
     "#   (ports_per_instance = Cloud NAT's min_ports_per_vm), ports 1024-65535 per NAT IP,\n"
     "#   TIME_WAIT 120 s (tcpTimeWaitTimeoutSec of gateways created before 2026-09-30; set\n"
     "#   time_wait_s 30 for newer ones) and a 1200 s idle timeout.\n"
     "# One NAT IP reserves 64 ports for at most 64512 / 64 = 1008 VMs; VMs beyond that get\n"
     "#   none. Raise ports_per_instance or nat_ips here to try Cloud NAT's own knobs.\n"
     "gateway,preset,nat_ips\n"
     "egress,gcp,1\n",
     "# On GCP each VM owns 64 ports per destination address: a VM opening more than\n"
     "#   64 / 120 s = 0.53 new connections a second to one address runs out alone."},
    {"azure",
     "# gateways.csv - one Azure NAT Gateway (preset azure).\n"
     "# The preset fills: mapping per_destination, at most 50000 connections from one\n"
     "#   public IP to one destination address, ports 1024-65535, TIME_WAIT 65 s and a\n"
     "#   240 s idle timeout (configurable from 4 to 120 minutes: set idle_timeout_s).\n"
     "# A NAT Gateway takes up to 16 public IPs (nat_ips).\n"
     "gateway,preset,nat_ips\n"
     "egress,azure,1\n",
     "# On Azure the pools are per destination address: 50000 ports towards each address."},
    {"azure_lb",
     "# gateways.csv - Azure Load Balancer outbound rules, default allocation (preset azure_lb).\n"
     "# The preset fills: mapping per_destination, ports 1024-65023 (64000 per frontend IP),\n"
     "#   TIME_WAIT 240 s, idle timeout 240 s, and ports per instance by backend pool size:\n"
     "#   1024 up to 50 instances, 512 up to 100, 256 up to 200, 128 up to 400, 64 up to\n"
     "#   800, 32 up to 1000. This set has 50 instances: 1024 ports each.\n"
     "# Manual allocation: give ports_per_instance (a multiple of 8) and nat_ips (frontend IPs).\n"
     "gateway,preset,nat_ips\n"
     "egress,azure_lb,1\n",
     "# On Azure LB each instance owns its ports (1024 here) per destination address."},
    {"linux",
     "# gateways.csv - a Linux host doing SNAT/masquerade with conntrack (preset linux).\n"
     "# The preset fills: mapping per_destination (conntrack keeps a connection unique by\n"
     "#   the whole 5-tuple), ports 1024-65535, TIME_WAIT 120 s\n"
     "#   (nf_conntrack_tcp_timeout_time_wait) and 432000 s for an idle established\n"
     "#   connection (nf_conntrack_tcp_timeout_established). Every column can be changed.\n"
     "gateway,preset,nat_ips\n"
     "egress,linux,1\n",
     "# With conntrack SNAT the pools are per destination address (64512 ports each)."},
};

static const char destinations_csv[] =
    "# destinations.csv - the external APIs the services call.\n"
    "# addresses: IP addresses the name resolves to (per-destination gateways keep a pool\n"
    "#   of ports towards each). latency_p50_ms / latency_p99_ms: how long a request holds\n"
    "#   its connection, fitted by latency_dist. handshake_ms: TCP + TLS set-up of a new\n"
    "#   connection. Replace these two with the APIs your services call.\n"
    "destination,addresses,port,latency_dist,latency_p50_ms,latency_p99_ms,handshake_ms\n"
    "payments,2,443,lognormal,250,2000,80\n"
    "storage,4,443,lognormal,60,900,40\n";

static const char services_head[] =
    "# services.csv - one row per service and API it calls.\n"
    "# instances: VMs or pods behind the gateway. rps: requests per second PER INSTANCE to\n"
    "#   that API when the profile's multiplier is 1 (here the 13:00 peak).\n"
    "# pool_idle 0 / pool_max 0: no connection pooling, a new connection (and port) per\n"
    "#   request - the usual cause of port exhaustion; the pooling scenario turns it on.\n";

static const char services_body[] =
    "service,destination,instances,rps,profile,pool_max,pool_idle,keepalive_s,retries,retry_backoff_s\n"
    "web,payments,30,0.4,day,0,0,60,1,1\n"
    "web,storage,30,1.0,day,0,0,60,0,0\n"
    "worker,storage,20,0.8,day,0,0,60,0,0\n";

static const char profiles_csv[] =
    "# profiles.csv - the daily load shape (UTC), linear between points and periodic;\n"
    "#   multiplier 1 = the rps of services.csv.\n"
    "profile,time,multiplier\n"
    "day,00:00,0.15\n"
    "day,06:00,0.20\n"
    "day,09:00,0.70\n"
    "day,13:00,1.00\n"
    "day,18:00,0.70\n"
    "day,22:00,0.30\n";

static const char scenarios_csv[] =
    "# scenarios.csv - what to simulate: each row a what-if of the inputs above (a blank\n"
    "#   cell leaves the input as it is). 24 h after 1 h of warm-up, 3 replications.\n"
    "# baseline: the inputs as they are.\n"
    "# pooling: keep-alive pools in every client (4 idle, 16 open, 60 s keep-alive, below\n"
    "#   the gateway's idle timeout).\n"
    "# growth-3x: three times the traffic, without pooling - where the ports run out first.\n"
    "scenario,description,duration_h,warmup_h,replications,seed,rate_scale,pool_idle,pool_max\n"
    "baseline,The inputs as they are,24,1,3,1,,,\n"
    "pooling,Connection pooling in every client,24,1,3,1,,4,16\n"
    "growth-3x,Three times the traffic without pooling,24,1,3,1,3,,\n";

typedef struct init_file {
    const char *name;
    const char *text;
} init_file;

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char ch = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        buf[i] = ch;
    }
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    if (!S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int write_all(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

int cmd_init(const cli *c, char **operands, size_t noperands)
{
    if (noperands == 0)
        return cli_usage_error(c, "no directory given (natcap init [--preset P] DIR)");
    if (noperands > 1)
        return cli_usage_error(c, "unexpected argument '%s' (one DIR)", operands[1]);
    const char *dir = operands[0];
    const platform *pf = NULL;
    for (size_t i = 0; i < sizeof platforms / sizeof platforms[0]; i++)
        if (strcmp(platforms[i].name, c->preset) == 0)
            pf = &platforms[i];
    if (pf == NULL)
        return cli_usage_error(c, "--preset: unknown preset '%s'", c->preset);

    char services[2048];
    snprintf(services, sizeof services, "%s%s\n%s", services_head, pf->note, services_body);
    init_file files[] = {
        {"gateways.csv", pf->gateways},
        {"destinations.csv", destinations_csv},
        {"services.csv", services},
        {"profiles.csv", profiles_csv},
        {"scenarios.csv", scenarios_csv},
    };
    size_t nfiles = sizeof files / sizeof files[0];
    char path[PATH_MAX + 32];
    struct stat sb;
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        cli_log_error("%s: exists and is not a directory", dir);
        return EXIT_CANTCREAT;
    }
    for (size_t i = 0; i < nfiles; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if (lstat(path, &sb) == 0) {
            cli_log_error("%s already exists; natcap init never overwrites a file (give an empty "
                          "or new directory)", path);
            return EXIT_CANTCREAT;
        }
    }
    if (mkdir_p(dir) != 0) {
        cli_log_error("%s: cannot create the directory: %s", dir, strerror(errno));
        return EXIT_CANTCREAT;
    }
    size_t made = 0;
    int rc = 0;
    for (; made < nfiles && rc == 0; made++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[made].name);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd < 0) {
            cli_log_error("%s: cannot create: %s", path, strerror(errno));
            rc = EXIT_CANTCREAT;
            break;
        }
        if (write_all(fd, files[made].text) != 0 || fsync(fd) != 0) {
            cli_log_error("%s: cannot write: %s", path, strerror(errno));
            rc = EXIT_IOERR;
        }
        if (close(fd) != 0 && rc == 0) {
            cli_log_error("%s: cannot write: %s", path, strerror(errno));
            rc = EXIT_IOERR;
        }
    }
    if (rc != 0) {   /* leave nothing half-made */
        for (size_t i = 0; i < made; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
            unlink(path);
        }
        return rc;
    }
    printf("natcap: wrote %s %s input set to %s/ (gateways, destinations, services, profiles, "
           "scenarios)\n"
           "next:   natcap validate -i %s\n"
           "        natcap run -i %s -o %s-out\n",
           strchr("aeiou", pf->name[0]) ? "an" : "a", pf->name, dir, dir, dir, dir);
    return 0;
}
