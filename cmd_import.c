/*
 * cmd_import.c - `natcap import [-g GATEWAY] [--metric NAME] [--pool NAME]
 * [-o FILE] FILE...` (SPEC §6): native metric exports to observed.csv.
 *
 * Every file is parsed before anything is written: a malformed export exits
 * 65 naming the file and the JSON path, and writes nothing (no partial
 * stdout, no FILE).  -o writes FILE whole to a temporary name beside it and
 * renames it into place.
 */
#define _GNU_SOURCE
#include "commands.h"

#include "io/obs_import.h"
#include "io/csv_value.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void import_usage(FILE *fp)
{
    fputs("Usage: natcap import [-g GATEWAY] [--metric NAME] [--pool NAME] [-o FILE] FILE...\n"
          "\n"
          "Reads metric exports (aws cloudwatch get-metric-data, Prometheus query_range,\n"
          "Cloud Monitoring timeSeries.list, az monitor metrics list JSON), detects each\n"
          "one's format from its content and writes observed.csv rows.\n"
          "\n"
          "  -g, --gateway NAME   the gateway measured (the gateway column)\n"
          "      --metric NAME    natcap metric for every series: in_use, open,\n"
          "                       new_connections, attempts, alloc_failures, requests,\n"
          "                       failed_requests (needed for names not in the table)\n"
          "      --pool NAME      the pool column (per-pool metrics)\n"
          "  -o, --output FILE    write FILE atomically (default: standard output)\n"
          "  -h, --help           show this help\n",
          fp);
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "natcap: import: %s%s%s\nTry 'natcap import --help' for more information.\n",
            msg, arg ? " " : "", arg ? arg : "");
    return 64;
}

static int write_atomic(const char *path, const obs_rows *rows, const obs_import_opts *o)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (tmp == NULL)
        return 70;
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    snprintf(tmp, len + 16, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "natcap: %s: cannot create: %s\n", path, strerror(errno));
        free(tmp);
        return 73;
    }
    FILE *fp = fdopen(fd, "w");
    int bad = fp == NULL;
    if (!bad) {
        obs_import_write(fp, rows, o);
        bad = fflush(fp) != 0 || ferror(fp) || fsync(fd) != 0;
        bad |= fclose(fp) != 0;
    } else {
        close(fd);
    }
    if (!bad)
        bad = rename(tmp, path) != 0;
    if (bad) {
        fprintf(stderr, "natcap: %s: cannot write: %s\n", path, strerror(errno ? errno : EIO));
        unlink(tmp);
        free(tmp);
        return 74;
    }
    free(tmp);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"gateway", required_argument, NULL, 'g'},
        {"metric", required_argument, NULL, 'm'},
        {"pool", required_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    obs_import_opts o = {NULL, NULL, NULL};
    const char *out = NULL;
    opterr = 0;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "g:o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'g':
            if (!csv_value_is_name(optarg))
                return usage_error("-g: not a gateway name:", optarg);
            o.gateway = optarg;
            break;
        case 'm': {
            int ok = 0;
            for (int i = 0; i < OBS_NMETRICS; i++)
                ok |= strcmp(obs_metric_names[i], optarg) == 0;
            if (!ok)
                return usage_error("--metric: expected in_use, open, new_connections, attempts, "
                                   "alloc_failures, requests or failed_requests, got", optarg);
            o.metric = optarg;
            break;
        }
        case 'p':
            if (*optarg == '\0' || strpbrk(optarg, ",\"\r\n") != NULL || strlen(optarg) > 150)
                return usage_error("--pool: not a pool name:", optarg);
            o.pool = optarg;
            break;
        case 'o': out = optarg; break;
        case 'h': import_usage(stdout); return 0;
        default:
            return usage_error("bad option or missing value:", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("no export given (natcap import FILE...)", NULL);
    obs_rows rows;
    memset(&rows, 0, sizeof rows);
    nc_error err = {0};
    nc_status st = NC_OK;
    for (int i = optind; i < argc && st == NC_OK; i++)
        st = obs_import_file(argv[i], &o, &rows, &err);
    if (st == NC_OK)
        st = obs_import_finish(&rows, &o, &err);
    int rc = 0;
    if (st != NC_OK) {
        char buf[1200];
        nc_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "natcap: %s\n", buf);
        rc = st == NC_EINPUT ? 65 : st == NC_EIO ? 74 : 70;
    } else if (out != NULL) {
        rc = write_atomic(out, &rows, &o);
    } else {
        obs_import_write(stdout, &rows, &o);
    }
    obs_rows_free(&rows);
    return rc;
}
