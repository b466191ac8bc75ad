/*
 * check_layouts.c - naming the bottleneck on every gateway layout (SPEC §5):
 * the pool layout and its names (model/topology.h), the instances left
 * without ports and what would reserve ports for all (hand arithmetic), the
 * binding pool and its unconstrained demand from a simulation (lambda x
 * E[hold] on a flat profile), the demand line on the occupancy chart, the
 * severity grades, and utilisation that counts instances without ports as
 * full (a scenario never looks better than its fix).
 */
#include "../model/batch.h"
#include "../model/bottleneck.h"
#include "../model/occupancy.h"
#include "../model/summary.h"
#include "../model/topology.h"
#include "../plot/canvas.h"
#include "../plot/figure.h"
#include "fixture.h"

#include <check.h>
#include <math.h>
#include <string.h>

/* GCP-like: 1,500 VMs x 64 ports, 1 NAT IP of 64,512 ports, per destination. */
static void gcp_fixture(fx *f, uint32_t nat_ips)
{
    fx_init(f);
    nc_gateway *g = &f->gw[0];
    snprintf(g->preset, sizeof g->preset, "gcp");
    g->mapping = NC_MAPPING_PER_DESTINATION;
    g->ports_per_instance = 64;
    g->nat_ips = nat_ips;
    fx_add_row(f, "api", 0, 0, 1500, 0.25);
}

START_TEST(test_topology_per_instance)
{
    fx f;
    gcp_fixture(&f, 1);
    nc_topology t;
    ck_assert_int_eq(nc_topology_build(&f.sc, 0, &t), NC_OK);
    /* floor(64512 / 64) = 1008 reserved, 1500 - 1008 = 492 without */
    ck_assert_uint_eq(t.instances, 1500);
    ck_assert_uint_eq(t.reservable, 1008);
    ck_assert_uint_eq(t.without_ports, 492);
    ck_assert_uint_eq(t.pools, 1500);
    ck_assert_uint_eq(t.pools_with_ports, 1008);
    ck_assert_uint_eq(t.ips_for_all, 2);     /* ceil(1500 x 64 / 64512) */
    ck_assert_uint_eq(t.ppi_for_all, 32);    /* floor(64512 / 1500) = 43, down to a power of 2 */
    ck_assert_uint_eq(nc_topology_pool_capacity(&t, 1007), 64);
    ck_assert_uint_eq(nc_topology_pool_capacity(&t, 1008), 0);
    char name[160], text[640];
    nc_topology_pool_name(&t, &f.sc, 1008, name, sizeof name);
    ck_assert_str_eq(name, "api#1009>api#1");
    nc_topology_portless_text(&t, &f.sc, text, sizeof text);
    ck_assert_ptr_nonnull(strstr(text, "492 of 1,500 instances get no ports"));
    ck_assert_ptr_nonnull(strstr(text, "service 'api'"));
    ck_assert_ptr_nonnull(strstr(text, "2 NAT IPs would reserve them for all"));
    ck_assert_ptr_nonnull(strstr(text, "ports_per_instance 32 with 1 NAT IP"));
    uint64_t first;
    ck_assert_uint_eq(nc_topology_row_without_ports(&t, 0, &first), 492);
    ck_assert_uint_eq(first, 1009);
    nc_topology_free(&t);

    /* two services: a's 1,000 instances come first and all get ports; of b's
     * 100, 1008 - 1000 = 8 do, 92 do not, the first without is b's 9th */
    fx_init(&f);
    f.gw[0].ports_per_instance = 64;
    fx_add_row(&f, "a", 0, 0, 1000, 1);
    fx_add_row(&f, "b", 0, 0, 100, 1);
    fx_add_row(&f, "a", 0, 0, 10, 1);   /* a's instances are its largest row's */
    ck_assert_int_eq(nc_topology_build(&f.sc, 0, &t), NC_OK);
    ck_assert_uint_eq(t.instances, 1100);
    ck_assert_uint_eq(nc_topology_row_without_ports(&t, 0, &first), 0);
    ck_assert_uint_eq(first, 0);
    ck_assert_uint_eq(nc_topology_row_without_ports(&t, 1, &first), 92);
    ck_assert_uint_eq(first, 9);
    ck_assert_uint_eq(nc_topology_row_without_ports(&t, 2, &first), 0);
    ck_assert_uint_eq(t.portless_in_service, 92);
    ck_assert_uint_eq(t.pools_with_ports, 1008);
    nc_topology_free(&t);

    /* azure_lb: 64,000 ports per IP, manual allocation in multiples of 8 */
    snprintf(f.gw[0].preset, sizeof f.gw[0].preset, "azure_lb");
    f.gw[0].port_max = 65023;
    ck_assert_uint_eq(nc_topology_ppi_allowed(&f.gw[0], 1, 1500), 40);   /* 42.7 -> 40 */
    ck_assert_uint_eq(nc_topology_ips_needed(&f.gw[0], 1500, 64), 2);    /* 96,000 / 64,000 */

    gcp_fixture(&f, 2);
    ck_assert_int_eq(nc_topology_build(&f.sc, 0, &t), NC_OK);
    ck_assert_uint_eq(t.without_ports, 0);   /* 2 x 1008 >= 1500 */
    nc_topology_portless_text(&t, &f.sc, text, sizeof text);
    ck_assert_str_eq(text, "");
    nc_topology_free(&t);
}
END_TEST

/* The rows of one pool (nc_topology_row_group), for every layout: by hand
 * from SPEC §2, rows 0 web>payments, 1 api on the other gateway, 2
 * web>search, 3 batch>payments, 4 batch>search. */
START_TEST(test_topology_row_groups)
{
    fx f;
    fx_init(&f);
    f.sc.ngateways = 2;
    f.gw[1] = f.gw[0];
    snprintf(f.gw[1].name, sizeof f.gw[1].name, "other");
    fx_add_destination(&f, "search", 3);
    fx_add_row(&f, "web", 0, 0, 4, 1);
    fx_add_row(&f, "api", 1, 0, 2, 1);
    fx_add_row(&f, "web", 0, 1, 4, 1);
    fx_add_row(&f, "batch", 0, 0, 2, 1);
    fx_add_row(&f, "batch", 0, 1, 2, 1);
    const size_t N = SIZE_MAX;
    static const struct {
        nc_mapping mapping;
        uint32_t ppi;
        size_t group[5];
    } want[] = {
        {NC_MAPPING_GLOBAL, 0, {0, N, 0, 0, 0}},            /* one pool */
        {NC_MAPPING_PER_DESTINATION, 0, {0, N, 2, 0, 2}},   /* per destination */
        {NC_MAPPING_GLOBAL, 8, {0, N, 0, 3, 3}},            /* per service */
        {NC_MAPPING_PER_DESTINATION, 8, {0, N, 2, 3, 4}},   /* per service and destination */
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        f.gw[0].mapping = want[k].mapping;
        f.gw[0].ports_per_instance = want[k].ppi;
        nc_topology t;
        ck_assert_int_eq(nc_topology_build(&f.sc, 0, &t), NC_OK);
        for (size_t i = 0; i < 5; i++)
            ck_assert_msg(nc_topology_row_group(&t, i) == want[k].group[i],
                          "layout %zu row %zu: group %zu, want %zu", k, i,
                          nc_topology_row_group(&t, i), want[k].group[i]);
        ck_assert_uint_eq(nc_topology_row_group(&t, 5), N);
        nc_topology_free(&t);
    }
    nc_topology t;   /* the other gateway's one pool: its first row is row 1 */
    ck_assert_int_eq(nc_topology_build(&f.sc, 1, &t), NC_OK);
    ck_assert_uint_eq(nc_topology_row_group(&t, 1), 1);
    ck_assert_uint_eq(nc_topology_row_group(&t, 0), N);
    nc_topology_free(&t);
}
END_TEST

/* The occupancy of one pool counts the rows of that pool only: per
 * destination, payments (1 address) has rows a (10/s) and c (5/s), search
 * (3 addresses) row b (30/s); d is pooled and not counted.  Flat profile,
 * H = 0.1 s latency + 60 s TIME_WAIT: m = weight x lambda x H. */
START_TEST(test_occupancy_of_one_pool)
{
    fx f;
    fx_init(&f);
    f.gw[0].mapping = NC_MAPPING_PER_DESTINATION;
    fx_add_destination(&f, "search", 3);
    fx_add_row(&f, "a", 0, 0, 10, 1);
    fx_add_row(&f, "b", 0, 1, 10, 3);
    fx_add_row(&f, "c", 0, 0, 5, 1);
    fx_add_row(&f, "d", 0, 0, 100, 1)->pool_idle = 4;
    occupancy *o = NULL;
    ck_assert_int_eq(occupancy_create_group(&f.sc, 1, &o, NULL), NC_OK);
    ck_assert_uint_eq(occupancy_rows(o), 1);
    ck_assert_double_eq_tol(occupancy_peak(o), 30.0 / 3 * 60.1, 1e-6);   /* 601 */
    occupancy_destroy(o);
    ck_assert_int_eq(occupancy_create_group(&f.sc, 2, &o, NULL), NC_OK);
    ck_assert_uint_eq(occupancy_rows(o), 2);
    ck_assert_double_eq_tol(occupancy_peak(o), 15 * 60.1, 1e-6);   /* 901.5 */
    occupancy_destroy(o);
    ck_assert_int_eq(occupancy_create(&f.sc, 0, -1, &o, NULL), NC_OK);
    ck_assert_uint_eq(occupancy_rows(o), 3);
    ck_assert_double_eq_tol(occupancy_peak(o), 15 * 60.1, 1e-6);
    ck_assert_uint_eq(occupancy_fullest_row(o), 0);
    occupancy_destroy(o);
}
END_TEST

START_TEST(test_topology_per_destination)
{
    fx f;
    fx_init(&f);
    f.gw[0].mapping = NC_MAPPING_PER_DESTINATION;
    f.sc.ndestinations = 3;
    const char *names[] = {"payments", "search", "maps"};
    uint32_t addrs[] = {1, 4, 2};
    for (int d = 0; d < 3; d++) {
        f.de[d] = f.de[0];
        snprintf(f.de[d].name, sizeof f.de[d].name, "%s", names[d]);
        f.de[d].addresses = addrs[d];
    }
    fx_add_row(&f, "web", 0, 1, 20, 50);       /* search: pools 0..3 */
    fx_add_row(&f, "checkout", 0, 0, 10, 100); /* payments: pool 4 */
    fx_add_row(&f, "web", 0, 2, 20, 10);       /* maps: pools 5, 6 */
    fx_add_row(&f, "batch", 0, 1, 2, 1);       /* search again: shares 0..3 */
    nc_topology t;
    ck_assert_int_eq(nc_topology_build(&f.sc, 0, &t), NC_OK);
    ck_assert_uint_eq(t.pools, 7);
    ck_assert_uint_eq(t.without_ports, 0);
    char name[160];
    nc_topology_pool_name(&t, &f.sc, 4, name, sizeof name);
    ck_assert_str_eq(name, "payments#1");
    nc_topology_pool_name(&t, &f.sc, 2, name, sizeof name);
    ck_assert_str_eq(name, "search#3");
    nc_topology_pool_name(&t, &f.sc, 6, name, sizeof name);
    ck_assert_str_eq(name, "maps#2");
    ck_assert(nc_topology_row_uses(&t, 1, 4));
    ck_assert(!nc_topology_row_uses(&t, 0, 4));
    ck_assert(nc_topology_row_uses(&t, 3, 2));
    ck_assert(!nc_topology_row_uses(&t, 2, 2));
    ck_assert_uint_eq(nc_topology_row_pools(&t, 0), 4);
    nc_topology_free(&t);
}
END_TEST

/* Every pool's name (as binding_pool spells it) finds that pool, and only it. */
static void assert_names_round_trip(const fx *f)
{
    nc_topology t;
    ck_assert_int_eq(nc_topology_build(&f->sc, 0, &t), NC_OK);
    char name[160];
    for (uint64_t p = 0; p < t.pools; p++) {
        nc_topology_pool_name(&t, &f->sc, p, name, sizeof name);
        ck_assert_uint_eq(nc_topology_pool_find(&t, &f->sc, name), p);
    }
    nc_topology_free(&t);
}

static uint64_t find(const fx *f, const char *name)
{
    nc_topology t;
    ck_assert_int_eq(nc_topology_build(&f->sc, 0, &t), NC_OK);
    uint64_t p = nc_topology_pool_find(&t, &f->sc, name);
    nc_topology_free(&t);
    return p;
}

START_TEST(test_topology_pool_find)
{
    fx f;
    gcp_fixture(&f, 1);   /* per instance and per destination: api#I>api#1, 1500 pools */
    assert_names_round_trip(&f);
    ck_assert_uint_eq(find(&f, "api#1009>api#1"), 1008);
    const char *bad[] = {"api#0>api#1", "api#1501>api#1", "api#01>api#1", "api#1>api#2", "api#1",
                         "api#1>", "Api#1>api#1", "", "nat", "api#1>api#1 ", "api#>api#1",
                         "api#18446744073709551617>api#1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(find(&f, bad[i]) == UINT64_MAX, "'%s' found", bad[i]);
    f.gw[0].mapping = NC_MAPPING_GLOBAL;   /* per instance only: api#I */
    assert_names_round_trip(&f);
    ck_assert_uint_eq(find(&f, "api#1500"), 1499);
    ck_assert_uint_eq(find(&f, "api#1501"), UINT64_MAX);
    f.gw[0].ports_per_instance = 0;         /* global: the gateway's name */
    assert_names_round_trip(&f);
    ck_assert_uint_eq(find(&f, f.gw[0].name), 0);
    ck_assert_uint_eq(find(&f, "api#1"), UINT64_MAX);

    fx_init(&f);   /* per destination: two services share search's pools */
    f.gw[0].mapping = NC_MAPPING_PER_DESTINATION;
    f.sc.ndestinations = 2;
    f.de[1] = f.de[0];
    snprintf(f.de[0].name, sizeof f.de[0].name, "search");
    snprintf(f.de[1].name, sizeof f.de[1].name, "maps");
    f.de[0].addresses = 4;
    f.de[1].addresses = 2;
    fx_add_row(&f, "web", 0, 1, 20, 10);   /* maps: pools 0, 1 */
    fx_add_row(&f, "web", 0, 0, 20, 50);   /* search: pools 2..5 */
    fx_add_row(&f, "batch", 0, 0, 2, 1);   /* search again */
    assert_names_round_trip(&f);
    ck_assert_uint_eq(find(&f, "search#4"), 5);
    ck_assert_uint_eq(find(&f, "maps#3"), UINT64_MAX);
    ck_assert_uint_eq(find(&f, "web#1"), UINT64_MAX);
}
END_TEST

/* A per-destination gateway of 50 mappings per address: "big" (1 address)
 * gets 1 new connection/s held 0.1 s + 60 s TIME_WAIT: demand 60.1 > 50;
 * "small" (2 addresses) gets 0.5/s: 0.25 x 60.1 = 15 per address. */
static void small_aws(fx *f)
{
    fx_init(f);
    f->gw[0].mapping = NC_MAPPING_PER_DESTINATION;
    f->gw[0].per_destination_limit = 50;
    f->sc.duration_h = 1;
    f->sc.warmup_h = 0.1;
    f->sc.replications = 3;
    fx_add_destination(f, "small", 2);
    snprintf(f->de[0].name, sizeof f->de[0].name, "big");
    fx_add_row(f, "s", 0, 1, 1, 0.5);
    fx_add_row(f, "b", 0, 0, 2, 0.5);
}

static int is_purple(int r, int g, int b)   /* Okabe-Ito reddish purple (204, 121, 167) */
{
    return r > 170 && r < 235 && g > 90 && g < 150 && b > 135 && b < 200;
}

START_TEST(test_binding_pool_and_demand_line)
{
    fx f;
    small_aws(&f);
    batch_opts o = {.jobs = 2};
    nc_scen_result *r = NULL;
    nc_error err;
    ck_assert_int_eq(batch_run(&f.sc, 1, &o, &r, &err), NC_OK);
    nc_bottleneck b;
    ck_assert_int_eq(nc_bottleneck_get(r, 0, &b, &err), NC_OK);
    ck_assert_str_eq(b.pool_name, "big#1");
    ck_assert_uint_eq(b.topo.pools, 3);
    ck_assert_double_eq_tol(b.demand_peak, 1.0 * (0.1 + 60), 1e-6);   /* lambda E[H] */
    ck_assert_double_eq_tol(b.demand[10], 60.1, 1e-6);
    ck_assert(b.sum.pools_exhausted > 0.99 && b.sum.pools_exhausted < 1.01);   /* big only */
    ck_assert_uint_eq(b.rows_using, 1);
    ck_assert(b.row_uses[1] && !b.row_uses[0]);
    ck_assert_int_ge(b.sum.severity, NC_SEV_MINOR);

    /* the demand line: purple at 60.1 along the right half of the plot,
     * not at 45 (below capacity, where it is not drawn) */
    plot_opts po = {PLOT_PNG, "inputs", 0};
    chart_map maps[1];
    figure_ctx fc = {.r = r, .o = &po, .flags = FIG_STANDALONE, .maps = maps};
    cairo_surface_t *s = NULL;
    ck_assert_int_eq(canvas_render_image(FIGURE_W, FIGURE_H, figure_occupancy, &fc, &s, &err),
                     NC_OK);
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    int x0 = (int)((maps[0].x + maps[0].w * 0.5) * CANVAS_PNG_SCALE);
    int x1 = (int)((maps[0].x + maps[0].w * 0.95) * CANVAS_PNG_SCALE);
    int hits = 0, below = 0;
    for (int x = x0; x < x1; x++) {
        for (int dy = -2; dy <= 2; dy++) {
            int y = (int)(chart_map_y(&maps[0], 60.1) * CANVAS_PNG_SCALE) + dy;
            uint32_t v;
            memcpy(&v, d + (size_t)y * (size_t)stride + 4 * (size_t)x, 4);
            if (is_purple((int)(v >> 16 & 0xff), (int)(v >> 8 & 0xff), (int)(v & 0xff))) {
                hits++;
                break;
            }
        }
        int y = (int)(chart_map_y(&maps[0], 45) * CANVAS_PNG_SCALE);
        uint32_t v;
        memcpy(&v, d + (size_t)y * (size_t)stride + 4 * (size_t)x, 4);
        below += is_purple((int)(v >> 16 & 0xff), (int)(v >> 8 & 0xff), (int)(v & 0xff));
    }
    ck_assert_int_gt(hits, (x1 - x0) * 9 / 10);
    ck_assert_int_eq(below, 0);
    cairo_surface_destroy(s);
    nc_bottleneck_free(&b);
    nc_scen_result_destroy(r);
}
END_TEST

/* Watch pools of a scenario (nc_scenario.watch) by name. */
static void watch(fx *f, nc_pool_ref *refs, const char *const *names, size_t n)
{
    nc_topology t;
    ck_assert_int_eq(nc_topology_build(&f->sc, 0, &t), NC_OK);
    for (size_t i = 0; i < n; i++) {
        memset(&refs[i], 0, sizeof refs[i]);
        refs[i].pool = nc_topology_pool_find(&t, &f->sc, names[i]);
        ck_assert_uint_ne(refs[i].pool, UINT64_MAX);
        snprintf(refs[i].name, sizeof refs[i].name, "%s", names[i]);
    }
    nc_topology_free(&t);
    f->sc.watch = refs;
    f->sc.nwatch = n;
}

/* A watched pool's series against references: on a global gateway the one
 * pool is the fullest, so its series is the gateway's, exactly (50 ports,
 * exhausted, pooled rows too); on a per-destination gateway the pools'
 * attempts and failures add up to the gateway's in every interval, and a
 * level's highest inside an interval is at least the levels at its ends
 * (slow: connections held 200 s, most intervals see no new one). */
START_TEST(test_watched_pool_series)
{
    fx f;
    fx_init(&f);
    f.gw[0].port_min = 1000;
    f.gw[0].port_max = 1049;
    f.gw[0].time_wait_s = 10;
    fx_add_row(&f, "a", 0, 0, 2, 3);
    nc_service *p = fx_add_row(&f, "b", 0, 0, 2, 2);
    p->pool_idle = 2;
    p->pool_max = 4;
    nc_pool_ref refs[3];
    watch(&f, refs, (const char *const[]){"gw"}, 1);
    batch_opts o = {.jobs = 2};
    nc_scen_result *r = NULL;
    nc_error err;
    ck_assert_int_eq(batch_run(&f.sc, 1, &o, &r, &err), NC_OK);
    ck_assert_uint_eq(r->npool_series, 1);
    const nc_gw_result *g = &r->gw[0];
    ck_assert_uint_gt(g->alloc_failures, 0);
    size_t n = (size_t)r->reps * r->nsamples;
    for (size_t i = 0; i < n; i++) {
        const nc_rep_sample *x = &r->pools[0].by_rep[i], *y = &g->by_rep[i];
        ck_assert_uint_eq(r->pools[0].in_use_by_rep[i], g->in_use_by_rep[i]);
        ck_assert_uint_eq(x->imax, y->imax);
        ck_assert_uint_eq(x->open, y->open);
        ck_assert_uint_eq(x->omax, y->omax);
        ck_assert_uint_eq(x->attempts, y->attempts);
        ck_assert_uint_eq(x->alloc_failures, y->alloc_failures);
    }
    nc_scen_result_destroy(r);

    fx_init(&f);
    f.gw[0].mapping = NC_MAPPING_PER_DESTINATION;
    f.gw[0].per_destination_limit = 30;
    f.sc.ndestinations = 2;
    f.de[1] = f.de[0];
    snprintf(f.de[1].name, sizeof f.de[1].name, "slow");
    f.de[1].addresses = 2;
    f.de[1].latency_p50_ms = 200000;
    fx_add_row(&f, "a", 0, 0, 2, 0.3);     /* api#1: 0.6/s x 60.1 s = 36 > 30 */
    fx_add_row(&f, "b", 0, 1, 1, 0.005);   /* slow#1, slow#2 */
    watch(&f, refs, (const char *const[]){"slow#2", "api#1", "slow#1"}, 3);
    ck_assert_int_eq(batch_run(&f.sc, 1, &o, &r, &err), NC_OK);
    g = &r->gw[0];
    ck_assert_uint_gt(g->alloc_failures, 0);
    size_t quiet = 0;
    for (uint32_t rep = 0; rep < r->reps; rep++)
        for (uint32_t k = 0; k < r->nsamples; k++) {
            size_t i = (size_t)rep * r->nsamples + k;
            uint64_t att = 0, fail = 0;
            for (size_t w = 0; w < 3; w++) {
                const nc_pool_series *ps = &r->pools[w];
                att += ps->by_rep[i].attempts;
                fail += ps->by_rep[i].alloc_failures;
                uint32_t end = ps->in_use_by_rep[i], prev = k > 0 ? ps->in_use_by_rep[i - 1] : 0;
                ck_assert_uint_ge(ps->by_rep[i].imax, end);
                ck_assert_uint_ge(ps->by_rep[i].imax, prev);
                ck_assert_uint_ge(ps->by_rep[i].omax, ps->by_rep[i].open);
                quiet += w != 1 && ps->by_rep[i].attempts == 0 && prev > 0;
            }
            ck_assert_uint_eq(att, g->by_rep[i].attempts);
            ck_assert_uint_eq(fail, g->by_rep[i].alloc_failures);
        }
    ck_assert_uint_gt(quiet, 10);   /* the carried level was tested */
    nc_scen_result_destroy(r);
}
END_TEST

/* 3 instances with 8 ports each, one IP of 16 ports: instance 3 gets none.
 * Its requests fail, so the gateway is 100 % used though the other two
 * hold ~2 of their 8; with a second IP it is not. */
static void three_vms(fx *f, uint32_t nat_ips)
{
    fx_init(f);
    f->gw[0].port_min = 1000;
    f->gw[0].port_max = 1015;
    f->gw[0].ports_per_instance = 8;
    f->gw[0].time_wait_s = 20;
    f->gw[0].nat_ips = nat_ips;
    f->sc.duration_h = 0.5;
    f->sc.warmup_h = 0.05;
    f->sc.replications = 2;
    fx_add_row(f, "vm", 0, 0, 3, 0.1);   /* 0.1 x 20.1 = 2 per instance: under 8 */
}

START_TEST(test_portless_is_full)
{
    fx f, g;
    three_vms(&f, 1);
    three_vms(&g, 2);
    batch_opts o = {.jobs = 1};
    nc_scen_result *r = NULL, *fix = NULL;
    nc_error err;
    ck_assert_int_eq(batch_run(&f.sc, 1, &o, &r, &err), NC_OK);
    ck_assert_int_eq(batch_run(&g.sc, 1, &o, &fix, &err), NC_OK);
    nc_bottleneck b, bf;
    ck_assert_int_eq(nc_bottleneck_get(r, 0, &b, &err), NC_OK);
    ck_assert_int_eq(nc_bottleneck_get(fix, 0, &bf, &err), NC_OK);
    ck_assert_uint_eq(b.topo.without_ports, 1);
    ck_assert_str_eq(b.pool_name, "vm#3");
    ck_assert(!b.pool_has_ports);
    ck_assert_double_eq(b.sum.peak_utilization, 1.0);
    ck_assert(b.sum.peak_in_use < 8);               /* the pools with ports never fill */
    ck_assert(b.sum.pools_exhausted > 0.99);        /* the port-less pool ran out */
    ck_assert_int_eq(b.sum.severity, NC_SEV_OUTAGE);   /* a third of the requests fail */
    ck_assert_uint_eq(bf.topo.without_ports, 0);
    ck_assert(bf.sum.peak_utilization < b.sum.peak_utilization);
    ck_assert_int_lt(bf.sum.severity, b.sum.severity);
    double scratch[2];
    for (uint32_t k = 0; k < r->nsamples; k++) {   /* the comparison chart's series */
        nc_interval_stats a, c;
        nc_interval_stats_get(r, 0, k, scratch, &a);
        nc_interval_stats_get(fix, 0, k, scratch, &c);
        ck_assert(a.utilization_mean >= c.utilization_mean);
    }
    nc_bottleneck_free(&b);
    nc_bottleneck_free(&bf);
    nc_scen_result_destroy(r);
    nc_scen_result_destroy(fix);
}
END_TEST

START_TEST(test_severity_bands)
{
    ck_assert_int_eq(nc_severity_grade(0.5, 0, 0, 0, 0), NC_SEV_OK);
    ck_assert_int_eq(nc_severity_grade(0.8, 0, 0, 0, 0), NC_SEV_NEAR);
    ck_assert_int_eq(nc_severity_grade(1.0, 5, 0, 0, 3), NC_SEV_MINOR);
    ck_assert_int_eq(nc_severity_grade(1.0, 5, 3, 0.003, 12), NC_SEV_MINOR);
    ck_assert_int_eq(nc_severity_grade(1.0, 5, 3, 0.05, 90), NC_SEV_MAJOR);   /* long */
    ck_assert_int_eq(nc_severity_grade(1.0, 5, 3, 0.1, 10), NC_SEV_MAJOR);
    ck_assert_int_eq(nc_severity_grade(1.0, 5, 3, 9.99, 10), NC_SEV_MAJOR);
    ck_assert_int_eq(nc_severity_grade(1.0, 5, 3, 10, 10), NC_SEV_OUTAGE);
    ck_assert_int_eq(nc_severity_grade(1.0, 5, 3, 17, 1440), NC_SEV_OUTAGE);
    nc_gw_summary s;
    memset(&s, 0, sizeof s);
    s.failed_requests = 3;
    s.failed_request_pct = 0.003;
    s.severity = NC_SEV_MINOR;
    char a[96], b[96];
    nc_severity_words(&s, a, sizeof a);
    s.failed_request_pct = 17.2;
    s.severity = NC_SEV_OUTAGE;
    nc_severity_words(&s, b, sizeof b);
    ck_assert_str_eq(a, "minor: 0.003 % of requests failed");
    ck_assert_str_eq(b, "OUTAGE: 17 % of requests failed");
    ck_assert_str_eq(nc_severity_name(NC_SEV_NEAR), "near");
}
END_TEST

Suite *layouts_suite(void);
Suite *layouts_suite(void)
{
    Suite *s = suite_create("layouts");
    TCase *t = tcase_create("bottleneck");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_topology_per_instance);
    tcase_add_test(t, test_topology_per_destination);
    tcase_add_test(t, test_topology_row_groups);
    tcase_add_test(t, test_occupancy_of_one_pool);
    tcase_add_test(t, test_topology_pool_find);
    tcase_add_test(t, test_watched_pool_series);
    tcase_add_test(t, test_binding_pool_and_demand_line);
    tcase_add_test(t, test_portless_is_full);
    tcase_add_test(t, test_severity_bands);
    suite_add_tcase(s, t);
    return s;
}
