/*
 * cmd.h - the commands (cmd_*.c, one file each) and what they share
 * (cmd_common.c): loading the inputs with -i/-s/-r/--seed, the checks made
 * before anything is simulated, the output directory, signals, and turning
 * an nc_error into a message and an exit status.
 *
 * A command is `int cmd_NAME(const cli *c, char **operands, size_t n)`,
 * returning the exit status; its row in cli.c's cli_commands[] names it.
 */
#ifndef NATCAP_CMD_H
#define NATCAP_CMD_H

#include "cli.h"
#include "io/csv_in.h"
#include "io/outdir.h"
#include "model/observed.h"
#include "model/result.h"

#include <gsl/gsl_rng.h>
#include <signal.h>

int cmd_run(const cli *c, char **operands, size_t noperands);
int cmd_plan(const cli *c, char **operands, size_t noperands);
int cmd_merge(const cli *c, char **operands, size_t noperands);
int cmd_validate(const cli *c, char **operands, size_t noperands);
int cmd_init(const cli *c, char **operands, size_t noperands);
int cmd_estimate(const cli *c, char **operands, size_t noperands);
int cmd_alerts(const cli *c, char **operands, size_t noperands);

/* The presets `natcap init --preset` knows (cmd_init.c). */
extern const char *const cmd_init_presets[];
extern const size_t cmd_init_npresets;
int cmd_init_preset_known(const char *name);

/* Set by SIGINT/SIGTERM once install_signals() ran. */
extern volatile sig_atomic_t cmd_stop_flag;

/* The exit status of an error, and the message on stderr. */
int cmd_exit_code(nc_status st);
int cmd_report(const nc_error *err);

/* Load c->input: -1 on success, else the exit status (message printed).  A
 * missing input directory is named as such. */
int cmd_load(const cli *c, nc_input *in);

/* observed.csv of the input directory (SPEC §6), loaded by cmd_load; empty
 * without the file.  main() frees it. */
extern nc_observed cmd_observed;

/* cmd_load that also fills ex with what validate explains (io/explain.h);
 * ex may be NULL.  Every input error found is printed (io/csv_in.h), the
 * exit status is the first one's. */
struct csv_explain;
int cmd_load_ex(const cli *c, nc_input *in, struct csv_explain *ex);

/* Keep only the scenarios named with -s (in the order of scenarios.csv),
 * apply -r and --seed.  -1, or 64 naming an unknown scenario and the
 * nearest one. */
int cmd_select_scenarios(nc_input *in, const cli *c);

/* Everything before a simulation: the generator GSL_RNG_TYPE names (when T
 * is not NULL), the inputs, -s / -r / --seed, the pre-run limits and the
 * output directory (created, or found writable: 73 otherwise, before any
 * simulation); then the signal handlers.  -1 when ready, else the exit
 * status (in is freed). */
int cmd_prepare(const cli *c, nc_input *in, const gsl_rng_type **T);
/* Settings that contradict each other (io/warn.h), on stderr: findings, not errors. */
void cmd_print_warnings(const nc_input *in);

/* The generator GSL_RNG_TYPE names (taus2 when unset); NULL and *bad set
 * when it names none. */
const gsl_rng_type *cmd_rng_type(int *bad);

/* Create the output directory or find it writable: -1, else the exit
 * status with the message printed (73 for a regular file in the way). */
int cmd_check_output(const char *path);

void cmd_install_signals(void);

/* SOURCE_DATE_EPOCH, else now. */
long long cmd_run_epoch(void);

/* Write every result file of a run into c->output, then commit. */
nc_status cmd_write_outputs(const cli *c, const nc_scen_result *const *rs, size_t n,
                            nc_error *err);

/* Nonzero when a gateway of a scenario ran out of ports in a replication. */
int cmd_any_exhausted(const nc_scen_result *const *rs, size_t n);

#endif
