/*
 * commands.h - commands that live in their own top-level files beside main.c
 * (cmd_*.c).  Each takes the arguments after "natcap" (argv[0] is the
 * command's name) and returns the exit status of SPEC §1.
 */
#ifndef NATCAP_COMMANDS_H
#define NATCAP_COMMANDS_H

int cmd_import(int argc, char **argv);
int cmd_fit(int argc, char **argv);

/* observed_run.c: model vs observed for `run` (SPEC §6).  Compares the
 * scenarios whose scenarios.csv `observed` is yes, else the first one, and
 * hangs the comparison on rs[i]->cmp; observed_detach frees them. */
#include "model/observed.h"
#include "model/result.h"
#include "model/status.h"
/* observed_watch, before the run: the pools observed.csv names, looked up
 * in the layout of each scenario that will be compared and, with `keep`,
 * set as its watch (io/observed_in.h, observed_in_watch); NC_EINPUT for a
 * name that is no pool of its gateway. */
nc_status observed_watch(nc_scenario *scs, size_t n, const nc_observed *o, int keep, nc_error *err);
nc_status observed_attach(nc_scen_result *const *rs, size_t n, const nc_observed *o, nc_error *err);
/* A warning on stderr for each gateway with several pools whose level
 * series (in_use, open) names no pool: it is compared with the fullest
 * pool, while a gateway-wide native metric counts every pool. */
void observed_warn_scope(const nc_scenario *scs, size_t n, const nc_observed *o);
void observed_detach(nc_scen_result *const *rs, size_t n);

#endif
