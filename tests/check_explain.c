/*
 * check_explain.c - the loader's error list (csv_in_load_all: every error at
 * once, in file order, each once) and what it records for `natcap validate`
 * (io/explain.h: value sources, override records).  Inputs from memory.
 */
#include "../io/csv_in.h"
#include "../io/explain.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *explain_suite(void);

static const char GW[] = "gateway,preset,nat_ips\nnat,aws,\nlb,azure_lb,2\n";
static const char DS[] = "destination,addresses,latency_dist,latency_p50_ms\n"
                         "segment,1,constant,40\napi,2,constant,20\npay,1,constant,50\n";
static const char SV[] = "service,gateway,destination,instances,rps\n"
                         "web,nat,segment,10,50\nweb,nat,api,10,20\napp,nat,segment,5,10\n"
                         "app,nat,api,5,10\nbatch,lb,api,100,1\nworker,lb,pay,50,1\n";

static csv_in_errors errs;

static nc_status load(const char *gw, const char *ds, const char *sv, const char *sc,
                      nc_input *in, csv_explain *ex)
{
    const char *t[5] = {gw, ds, sv, NULL, sc};
    csv_in_file f[5];
    for (int i = 0; i < 5; i++) {
        f[i].data = t[i];
        f[i].len = t[i] ? strlen(t[i]) : 0;
    }
    return csv_in_load_all("in", f, in, &errs, ex);
}

START_TEST(header_typos_all_reported)
{
    nc_input in;
    const char *sv = "service,gateway,destination,instance,rsp\nweb,nat,segment,1,1\n";
    ck_assert_int_eq(load(GW, DS, sv, NULL, &in, NULL), NC_EINPUT);
    ck_assert_uint_eq(errs.n, 2);
    ck_assert_str_eq(errs.e[0].file, "in/services.csv");
    ck_assert_int_eq(errs.e[0].line, 1);
    ck_assert_msg(strstr(errs.e[0].msg, "'instance'") != NULL, "%s", errs.e[0].msg);
    ck_assert_msg(strstr(errs.e[1].msg, "'rsp'") != NULL, "%s", errs.e[1].msg);
    ck_assert_int_eq(errs.truncated, 0);
}
END_TEST

START_TEST(headers_of_two_files)
{
    nc_input in;
    const char *gw = "gateway,presett\nnat,aws\n";
    const char *sv = "service,gateway,destination,instances,rps,color\nweb,nat,segment,1,1,red\n";
    ck_assert_int_eq(load(gw, DS, sv, NULL, &in, NULL), NC_EINPUT);
    ck_assert_uint_eq(errs.n, 2);
    ck_assert_str_eq(errs.e[0].file, "in/gateways.csv");
    ck_assert_str_eq(errs.e[1].file, "in/services.csv");
}
END_TEST

START_TEST(bad_rows_in_file_order)
{
    nc_input in;
    const char *sv = "service,gateway,destination,instances,rps\nweb,nat,segment,0,50\n"
                     "app,nat,segment,5,x\nok,nat,api,1,1\nz,nat,api,1.5,1\n";
    const char *gw = "gateway,preset,nat_ips\nnat,aws,0\nlb,azure_lb,2\n";
    ck_assert_int_eq(load(gw, DS, sv, NULL, &in, NULL), NC_EINPUT);
    ck_assert_uint_eq(errs.n, 4);
    long lines[4] = {2, 2, 3, 5};
    const char *files[4] = {"in/gateways.csv", "in/services.csv", "in/services.csv",
                            "in/services.csv"};
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(errs.e[i].file, files[i]);
        ck_assert_int_eq(errs.e[i].line, lines[i]);
    }
}
END_TEST

START_TEST(override_error_once_and_per_scenario)
{
    nc_input in;
    /* one bad value applied to all 6 rows: one error; another scenario's: another */
    const char *sc = "scenario,rps,nat_ips\nbad-rps,-1,\nok,,\nbad-ips,,0\n";
    ck_assert_int_eq(load(GW, DS, SV, sc, &in, NULL), NC_EINPUT);
    ck_assert_uint_eq(errs.n, 2);
    ck_assert_str_eq(errs.e[0].file, "in/scenarios.csv");
    ck_assert_int_eq(errs.e[0].line, 2);
    ck_assert_str_eq(errs.e[0].column, "rps");
    ck_assert_int_eq(errs.e[1].line, 4);
    ck_assert_str_eq(errs.e[1].column, "nat_ips");
}
END_TEST

START_TEST(error_limit)
{
    nc_input in;
    char sv[4096] = "service,gateway,destination,instances,rps\n";
    for (int i = 0; i < 25; i++)
        snprintf(sv + strlen(sv), sizeof sv - strlen(sv), "s%d,nat,api,1,bad\n", i);
    ck_assert_int_eq(load(GW, DS, sv, NULL, &in, NULL), NC_EINPUT);
    ck_assert_uint_eq(errs.n, CSV_IN_MAX_ERRORS);
    ck_assert_int_eq(errs.truncated, 1);
    ck_assert_int_eq(errs.e[19].line, 21);
}
END_TEST

START_TEST(sources_and_overrides)
{
    nc_input in;
    csv_explain ex;
    const char *sc = "scenario,destination,rate_scale,gateway,nat_ips\nbase,,,,\n"
                     "bf,segment,1.4,,\ntwo,,,nat,2\n";
    ck_assert_int_eq(load(GW, DS, SV, sc, &in, &ex), NC_OK);
    ck_assert(ex.have_base);
    /* aws: per_destination_limit and TIME_WAIT from the preset, nat_ips by default */
    ck_assert_int_eq(ex.gw[0].src[CSV_EX_GW_PDL], CSV_SRC_PRESET);
    ck_assert_int_eq(ex.gw[0].src[CSV_EX_GW_TIME_WAIT], CSV_SRC_PRESET);
    ck_assert_int_eq(ex.gw[0].src[CSV_EX_GW_NAT_IPS], CSV_SRC_DEFAULT);
    ck_assert_int_eq(ex.gw[1].src[CSV_EX_GW_NAT_IPS], CSV_SRC_EXPLICIT);
    /* azure_lb: backend 100 + 50 = 150 instances, the <= 200 tier: 256 */
    ck_assert_int_eq(ex.gw[1].src[CSV_EX_GW_PPI], CSV_SRC_BACKEND);
    ck_assert_uint_eq(ex.gw[1].backend, 150);
    ck_assert_uint_eq(ex.base.gateways[1].ports_per_instance, 256);
    ck_assert_uint_eq(ex.noverrides, 2);
    const csv_explain_override *o = &ex.ov[0];
    ck_assert_str_eq(o->scenario, "bf");
    ck_assert_str_eq(o->column, "rate_scale");
    ck_assert_str_eq(o->value, "1.4");
    ck_assert_str_eq(o->selectors, "destination=segment");
    ck_assert_uint_eq(o->nrows, 2);
    ck_assert_uint_eq(o->total, 6);
    ck_assert_uint_eq(o->rows[0], 0);
    ck_assert_uint_eq(o->rows[1], 2);
    char b[64], a[64];
    ck_assert_int_eq(csv_explain_value(&ex.base, o->file, o->rows[1], csv_explain_target(o), b,
                                       sizeof b), 0);
    ck_assert_int_eq(csv_explain_value(&in.scenarios[1], o->file, o->rows[1],
                                       csv_explain_target(o), a, sizeof a), 0);
    ck_assert_str_eq(b, "10");
    ck_assert_str_eq(a, "14");
    o = &ex.ov[1];
    ck_assert_str_eq(o->column, "nat_ips");
    ck_assert_int_eq(o->file, CSV_EX_GATEWAYS);
    ck_assert_uint_eq(o->nrows, 1);
    ck_assert_uint_eq(o->total, 2);
    csv_explain_free(&ex);
    nc_input_free(&in);
}
END_TEST

Suite *explain_suite(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("explain");
    tcase_add_test(tc, header_typos_all_reported);
    tcase_add_test(tc, headers_of_two_files);
    tcase_add_test(tc, bad_rows_in_file_order);
    tcase_add_test(tc, override_error_once_and_per_scenario);
    tcase_add_test(tc, error_limit);
    tcase_add_test(tc, sources_and_overrides);
    suite_add_tcase(s, tc);
    return s;
}
