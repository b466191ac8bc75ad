/* validate_out.c - see validate_out.h. */
#include "validate_out.h"

#include "../model/pools.h"

#include <stdio.h>
#include <string.h>

static void grouped(unsigned long long x, char *buf, size_t len)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%llu", x);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        buf[o++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            buf[o++] = ',';
    }
    buf[o] = '\0';
}

/* Where column j of gateway g came from. */
static void source(const csv_explain *ex, size_t g, int j, char *buf, size_t len)
{
    const nc_gateway *gw = &ex->base.gateways[g];
    switch (ex->gw[g].src[j]) {
    case CSV_SRC_PRESET: snprintf(buf, len, "preset %s", gw->preset); break;
    case CSV_SRC_EXPLICIT: snprintf(buf, len, "explicit"); break;
    case CSV_SRC_BACKEND:
        snprintf(buf, len, "preset %s: tier for a backend of %llu instance%s", gw->preset,
                 (unsigned long long)ex->gw[g].backend, ex->gw[g].backend == 1 ? "" : "s");
        break;
    default: snprintf(buf, len, "default"); break;
    }
}

static void print_gateway(FILE *fp, const csv_explain *ex, size_t g, int verbose)
{
    const nc_scenario *b = &ex->base;
    const nc_gateway *gw = &b->gateways[g];
    char s_map[96], s_pmin[96], s_ips[96], s_pdl[96], s_ppi[96], s_tw[96], s_idle[96], s_rst[96];
    char range[32], cap[32], res[32];
    source(ex, g, CSV_EX_GW_MAPPING, s_map, sizeof s_map);
    source(ex, g, CSV_EX_GW_PORT_MIN, s_pmin, sizeof s_pmin);
    source(ex, g, CSV_EX_GW_NAT_IPS, s_ips, sizeof s_ips);
    source(ex, g, CSV_EX_GW_PDL, s_pdl, sizeof s_pdl);
    source(ex, g, CSV_EX_GW_PPI, s_ppi, sizeof s_ppi);
    source(ex, g, CSV_EX_GW_TIME_WAIT, s_tw, sizeof s_tw);
    source(ex, g, CSV_EX_GW_IDLE, s_idle, sizeof s_idle);
    source(ex, g, CSV_EX_GW_RST_HOLD, s_rst, sizeof s_rst);
    nc_pools pl;
    nc_pools_of(b, g, &pl);
    int per_dest = gw->mapping == NC_MAPPING_PER_DESTINATION;
    grouped(nc_gateway_port_range(gw), range, sizeof range);
    grouped(pl.capacity, cap, sizeof cap);
    fprintf(fp, "  gateway %s: %s%s\n", gw->name, gw->preset[0] ? "preset " : "no preset",
            gw->preset);
    fprintf(fp, "    mapping %s (%s); ports %u-%u (%s): %s per NAT IP; %u NAT IP%s (%s)\n",
            per_dest ? "per_destination" : "global", s_map, gw->port_min, gw->port_max, s_pmin,
            range, gw->nat_ips, gw->nat_ips == 1 ? "" : "s", s_ips);
    if (gw->ports_per_instance == 0 && !per_dest) {
        fprintf(fp, "    pools: one for the gateway, %s mappings (NAT IPs x ports per IP)\n", cap);
    } else if (gw->ports_per_instance == 0) {
        fprintf(fp, "    pools: one per destination address, %s each (per NAT IP the lower "
                "of %s ports and per_destination_limit %u (%s)); %llu pool%s\n", cap, range,
                gw->per_destination_limit, s_pdl, (unsigned long long)pl.pools,
                pl.pools == 1 ? "" : "s");
    } else {
        grouped(pl.reservable, res, sizeof res);
        fprintf(fp, "    pools: one per instance%s, %u ports each (ports_per_instance %u "
                "per instance, %s); %llu pool%s; the ports reserve %s instance%s of %llu\n",
                per_dest ? " and destination address" : "", gw->ports_per_instance,
                gw->ports_per_instance, s_ppi, (unsigned long long)pl.pools,
                pl.pools == 1 ? "" : "s", res, pl.reservable == 1 ? "" : "s",
                (unsigned long long)pl.instances);
    }
    fprintf(fp, "    time_wait_s %g (%s), idle_timeout_s %g (%s), rst_hold_s %g (%s)%s\n",
            gw->time_wait_s, s_tw, gw->idle_timeout_s, s_idle, gw->rst_hold_s, s_rst,
            gw->idle_reset ? ", idle connections reset" : "");
    if (gw->port_selection == NC_PORTS_LINUX_PROBE) {
        char s_sel[96];
        source(ex, g, CSV_EX_GW_PORT_SELECTION, s_sel, sizeof s_sel);
        fprintf(fp, "    port_selection linux_probe (%s): Linux's search looks at most 248 ports "
                "of a NAT IP, so a nearly full pool refuses some SYNs\n", s_sel);
    }
    if (!verbose)
        return;
    for (int j = CSV_EX_GW_PRESET; j < CSV_EX_GW_NCOLS; j++) {
        char v[64], src[96];
        csv_explain_value(b, CSV_EX_GATEWAYS, g, ex->gw_cols[j], v, sizeof v);
        source(ex, g, j, src, sizeof src);
        fprintf(fp, "      %-22s %-16s %s\n", ex->gw_cols[j], v, src);
    }
}

static const nc_scenario *find_scenario(const nc_input *in, const char *name)
{
    for (size_t i = 0; i < in->nscenarios; i++)
        if (strcmp(in->scenarios[i].name, name) == 0)
            return &in->scenarios[i];
    return NULL;
}

static const char *rows_word(int file)
{
    return file == CSV_EX_GATEWAYS ? "gateways" : file == CSV_EX_DESTINATIONS ? "destinations"
                                                                              : "rows";
}

static void print_override(FILE *fp, const nc_input *in, const csv_explain *ex,
                           const csv_explain_override *o, int verbose)
{
    const nc_scenario *sc = find_scenario(in, o->scenario);
    const char *target = csv_explain_target(o);
    char sel[240] = "";
    if (o->selectors[0])
        snprintf(sel, sizeof sel, " (%s)", o->selectors);
    fprintf(fp, "    %s: %s %s on %zu of %zu %s%s", o->scenario, o->column, o->value, o->nrows,
            o->total, rows_word(o->file), sel);
    if (sc != NULL && o->nrows > 0) {
        char b0[64], a0[64], b[64], a[64];
        int same = 1;
        csv_explain_value(&ex->base, o->file, o->rows[0], target, b0, sizeof b0);
        csv_explain_value(sc, o->file, o->rows[0], target, a0, sizeof a0);
        for (size_t i = 1; i < o->nrows && same; i++) {
            csv_explain_value(&ex->base, o->file, o->rows[i], target, b, sizeof b);
            csv_explain_value(sc, o->file, o->rows[i], target, a, sizeof a);
            same = strcmp(a, a0) == 0 && strcmp(b, b0) == 0;
        }
        fprintf(fp, ": %s %s -> %s%s", target, b0, a0, same ? "" : " on the first (by row: -v)");
    }
    fprintf(fp, "  [scenarios.csv:%ld]\n", o->line);
    for (size_t i = 0; verbose && sc != NULL && i < o->nrows; i++) {
        char name[200], b[64], a[64];
        csv_explain_row_name(sc, o->file, o->rows[i], name, sizeof name);
        csv_explain_value(&ex->base, o->file, o->rows[i], target, b, sizeof b);
        csv_explain_value(sc, o->file, o->rows[i], target, a, sizeof a);
        fprintf(fp, "      %-40s %s %s -> %s\n", name, target, b, a);
    }
}

void validate_print(FILE *fp, const nc_input *in, const csv_explain *ex, int verbose)
{
    if (ex == NULL || !ex->have_base)
        return;
    fprintf(fp, "\ngateways (as in the files, before any scenario):\n");
    for (size_t g = 0; g < ex->base.ngateways; g++)
        print_gateway(fp, ex, g, verbose);
    fprintf(fp, "\nscenario overrides:\n");
    for (size_t i = 0; i < in->nscenarios; i++) {
        const nc_scenario *sc = &in->scenarios[i];
        size_t n = 0;
        for (size_t k = 0; k < ex->noverrides; k++) {
            if (strcmp(ex->ov[k].scenario, sc->name) != 0)
                continue;
            print_override(fp, in, ex, &ex->ov[k], verbose);
            n++;
        }
        /* values the loader derived again for this scenario (azure_lb's tier) */
        for (size_t g = 0; g < sc->ngateways && g < ex->base.ngateways; g++) {
            uint32_t p0 = ex->base.gateways[g].ports_per_instance;
            uint32_t p1 = sc->gateways[g].ports_per_instance;
            if (ex->gw[g].src[CSV_EX_GW_PPI] == CSV_SRC_BACKEND && p0 != p1) {
                fprintf(fp, "    %s: gateway %s: ports_per_instance %u -> %u (the azure_lb "
                        "tier of its backend after the scales)\n", sc->name,
                        sc->gateways[g].name, p0, p1);
                n++;
            }
        }
        if (n == 0)
            fprintf(fp, "    %s: none\n", sc->name);
    }
}
