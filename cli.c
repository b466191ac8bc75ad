/*
 * cli.c - see cli.h: the tables of commands and options, and everything
 * derived from them (parsing, help, "belongs to", "did you mean").
 */
#define _GNU_SOURCE
#include "cli.h"

#include "cmd.h"
#include "io/shard.h"
#include "model/version.h"
#include "model/batch.h"
#include "model/platform.h"
#include "plot/plot.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ parsers */

static int set_scenario(cli *c, const char *arg)
{
    c->scenarios[c->nscenarios++] = arg;
    return 0;
}

static int set_formats(cli *c, const char *arg)
{
    unsigned f = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "png") == 0)
            f |= PLOT_PNG;
        else if (strcmp(tok, "pdf") == 0)
            f |= PLOT_PDF;
        else if (strcmp(tok, "svg") == 0)
            f |= PLOT_SVG;
        else
            return cli_usage_error(c, "--format: expected a comma-separated list of png, pdf, "
                                      "svg, got '%s'", arg);
    }
    if (f == 0)
        return cli_usage_error(c, "--format: expected a comma-separated list of png, pdf, svg, "
                                  "got '%s'", arg);
    c->formats = f;
    return 0;
}

static int set_shard(cli *c, const char *arg)
{
    nc_error e = {0};
    if (shard_parse(arg, &c->shard_k, &c->shard_n, &e) != NC_OK)
        return cli_usage_error(c, "%s", e.msg);
    return 0;
}

static int set_tz(cli *c, const char *arg)
{
    if (observed_parse_tz(arg, &c->obs.tz_s) != 0)
        return cli_usage_error(c, "--tz: expected +HH:MM or -HH:MM, got '%s'", arg);
    return 0;
}

static int set_observed_day(cli *c, const char *arg)
{
    if (strlen(arg) != 10 || arg[4] != '-' || arg[7] != '-')
        return cli_usage_error(c, "--observed-day: expected YYYY-MM-DD, got '%s'", arg);
    if (c->obs.fold != OBS_FOLD_NONE)
        return cli_usage_error(c, "give --observed-day or --observed-fold, not both");
    c->obs.day = arg;
    return 0;
}

static int set_observed_fold(cli *c, const char *arg)
{
    if (c->obs.day != NULL)
        return cli_usage_error(c, "give --observed-day or --observed-fold, not both");
    if (strcmp(arg, "mean") == 0)
        c->obs.fold = OBS_FOLD_MEAN;
    else if (strcmp(arg, "max") == 0)
        c->obs.fold = OBS_FOLD_MAX;
    else
        return cli_usage_error(c, "--observed-fold: expected mean or max, got '%s'", arg);
    return 0;
}

static int set_preset(cli *c, const char *arg)
{
    if (cmd_init_preset_known(arg)) {
        c->preset = arg;
        return 0;
    }
    const char *near = cli_nearest(arg, cmd_init_presets, cmd_init_npresets);
    return cli_usage_error(c, "--preset: unknown preset '%s'%s%s%s (one of aws, gcp, azure, "
                              "azure_lb, linux)", arg, near ? " (did you mean '" : "",
                           near ? near : "", near ? "'?)" : "");
}

static int set_platform(cli *c, const char *arg)
{
    c->platform = nc_platform_parse(arg);
    if (c->platform >= 0)
        return 0;
    return cli_usage_error(c, "--platform: expected aws, gcp, azure, azure_lb or linux, got '%s'", arg);
}

static int cmd_help(const cli *c, char **operands, size_t noperands);

/* import's and fit's options never reach this parser (they parse their own) */
static int own_parser(cli *c, const char *arg)
{
    (void)arg;
    return cli_usage_error(c, "this option is parsed by its own command");
}

/* ------------------------------------------------------------------- tables */

const cli_option cli_options[] = {
    {"input", 'i', "DIR", CLI_STRING, CLI_AT(input), 0, 0, NULL, NULL,
     "input directory (default: inputs)", NULL, 0},
    {"output", 'o', "DIR", CLI_STRING, CLI_AT(output), 0, 0, NULL, NULL,
     "output directory, created if missing\n(default: outputs; fit: fitted)", NULL, 0},
    {"scenario", 's', "NAME", CLI_CALL, 0, 0, 0, NULL, NULL,
     "only this scenario of scenarios.csv; repeatable\n(default: all; fit: the one it calibrates)", set_scenario, 1},
    {"replications", 'r', "N", CLI_LLONG, CLI_AT(replications), 1, 1000000,
     "an integer from 1 to 1000000", NULL, "override every scenario's replications", NULL, 0},
    {"seed", 0, "N", CLI_LLONG, CLI_AT(seed), 0, (double)LLONG_MAX, "an integer >= 0", NULL,
     "override every scenario's seed", NULL, 0},
    {"jobs", 'j', "N", CLI_UINT, CLI_AT(jobs), 1, 1024, "an integer from 1 to 1024", NULL,
     "worker threads (default: online CPUs)", NULL, 0},
    {"format", 0, "LIST", CLI_CALL, 0, 0, 0, NULL, NULL,
     "chart formats, comma separated: png,pdf,svg\n(default: png,pdf)", set_formats, 0},
    {"fail-on-exhaustion", 0, NULL, CLI_FLAG, CLI_AT(fail_on_exhaustion), 0, 0, NULL, NULL,
     "exit 3 if any scenario ran out of ports", NULL, 0},
    {"quiet", 'q', NULL, CLI_FLAG, CLI_AT(quiet), 0, 0, NULL, NULL,
     "no progress or summary (validate: only errors\nand warnings)", NULL, 0},
    {"verbose", 'v', NULL, CLI_FLAG, CLI_AT(verbose), 0, 0, NULL, NULL,
     "every resolved value and overridden row", NULL, 0},
    {"shard", 0, "K/N", CLI_CALL, 0, 0, 0, NULL, NULL,
     "run only shard K (0..N-1) of the batch's\n"
     "scenario x replication units; write\nOUT/natcap-shard-K-of-N.bin", set_shard, 0},
    {"shards", 0, "N", CLI_UINT, CLI_AT(shards), 1, SHARD_MAX, "an integer from 1 to 1000000", NULL,
     "N shards, K from JOB_COMPLETION_INDEX\n"
     "(Kubernetes) or SLURM_ARRAY_TASK_ID; Slurm\narrays need neither option", NULL, 0},
    {"target-utilization", 0, "U", CLI_DOUBLE, CLI_AT(plan.target_utilization), 0.01, 1.0,
     "a number in (0, 1]", NULL, "target peak utilisation of a fix\n(default: 0.8)", NULL, 0},
    {"growth", 0, "G", CLI_DOUBLE, CLI_AT(plan.growth), 0.01, 1000.0, "a number > 0", NULL,
     "load growth the headroom is judged against\n(default: 1.5)", NULL, 0},
    {"alert-at", 0, "A", CLI_DOUBLE, CLI_AT(plan.alert_at), 0.01, 1.0, "a number in (0, 1]", NULL,
     "utilisation an alert fires at (default: 0.8)", NULL, 0},
    {"lead-minutes", 0, "M", CLI_DOUBLE, CLI_AT(plan.lead_minutes), 0.0, 100000.0,
     "a number >= 0", NULL, "warning an alert must give before exhaustion\n(default: 15)", NULL, 0},
    {"max-scale", 0, "X", CLI_DOUBLE, CLI_AT(plan.max_scale), 0.01, 1000.0,
     "a number from 0.01 to 1000", NULL,
     "search headroom up to X times the load\n(default: 2)", NULL, 0},
    {"preset", 0, "P", CLI_CALL, 0, 0, 0, NULL, NULL,
     "platform of the input set: aws, gcp, azure, azure_lb or linux\n(default: aws)", set_preset,
     0},
    {"tz", 0, "+-HH:MM", CLI_CALL, 0, 0, 0, NULL, "run validate",
     "shift observed.csv times to the simulated clock", set_tz, 0},
    {"observed-day", 0, "D", CLI_CALL, 0, 0, 0, NULL, "run validate",
     "compare only the observations of day D\n(YYYY-MM-DD)", set_observed_day, 0},
    {"observed-fold", 0, "F", CLI_CALL, 0, 0, 0, NULL, "run validate",
     "fold several days of observations by time\nof day: mean or max", set_observed_fold, 0},
    {"fail-below-headroom", 0, "H", CLI_DOUBLE, CLI_AT(fail_below_headroom), 0.0, 1000.0,
     "a number from 0 to 1000", NULL,
     "exit 3 if a gateway's headroom (the traffic\nmultiplier it carries without a failure) is below H", NULL, 0},
    {"platform", 0, "P", CLI_CALL, 0, 0, 0, NULL, NULL,
     "write the rules for aws, gcp, azure, azure_lb or\nlinux (default: each gateway's preset)", set_platform, 0},
    /* options of import and fit, which parse their own (main.c calls them
     * first): here for their synopsis and for "belongs to" */
    {"gateway", 'g', "GATEWAY", CLI_CALL, 0, 0, 0, NULL, "import",
     "the gateway measured", own_parser, 0},
    {"metric", 0, "NAME", CLI_CALL, 0, 0, 0, NULL, "import",
     "natcap metric for every series", own_parser, 0},
    {"pool", 0, "NAME", CLI_CALL, 0, 0, 0, NULL, "import", "the pool column", own_parser, 0},
    {"knots", 0, "N", CLI_CALL, 0, 0, 0, NULL, "fit", "knots of the fitted profile", own_parser,
     0},
    {"latency", 0, NULL, CLI_CALL, 0, 0, 0, NULL, "fit", "fit the hold time too", own_parser, 0},
    {"help", 'h', NULL, CLI_FLAG, 0, 0, 0, NULL, "*", "show this help", NULL, 0},
    {"version", 'V', NULL, CLI_FLAG, 0, 0, 0, NULL, "*", "show the version", NULL, 0},
    {NULL, 0, NULL, CLI_FLAG, 0, 0, 0, NULL, NULL, NULL, NULL, 0},
};

const cli_command cli_commands[] = {
    {"run", cmd_run, NULL,
     "input output scenario replications seed jobs format fail-on-exhaustion quiet shard shards",
     "simulate every scenario and write results, charts and a report",
     "Simulates a day of connections through the NAT gateways of the input\n"
     "directory, replication by replication, and writes summary.csv, per-scenario\n"
     "time series, charts and report.pdf/report.md into the output directory.\n"
     "Progress goes to stderr when it is a terminal; a summary table to stdout.", NULL, NULL},
    {"plan", cmd_plan, NULL,
     "input output scenario target-utilization growth alert-at lead-minutes max-scale "
     "replications seed jobs format fail-on-exhaustion fail-below-headroom quiet",
     "find what fixes the exhaustion: NAT IPs, ports, timeouts, headroom",
     "Searches, per scenario and gateway, for the smallest change that keeps the\n"
     "peak utilisation below the target, the load growth the gateway absorbs and\n"
     "the alert threshold that warns in time; writes plan.csv and plan.md.", NULL, NULL},
    {"alerts", cmd_alerts, NULL,
     "input output scenario alert-at lead-minutes platform replications seed jobs format quiet",
     "write alert rules per gateway and check them on every replication",
     "Simulates the scenarios (writing what run writes) and writes, per gateway,\n"
     "a leading and a failing alert rule in its platform's format into\n"
     "OUTPUT/alerts/ (Prometheus rules and their promtool test, CloudWatch\n"
     "put-metric-alarm inputs, a Cloud Monitoring AlertPolicy, Azure metricAlerts),\n"
     "thresholds in the metric's own units; then evaluates every rule on every\n"
     "replication into alerts.csv, and adds an alerts page and a runbook to the\n"
     "report.", NULL, NULL},
    {"merge", cmd_merge, "PART...",
     "input output format fail-on-exhaustion quiet tz observed-day observed-fold",
     "combine the parts of a sharded run into the outputs of one run",
     "Combines every shard's part (natcap-shard-K-of-N.bin files, or directories\n"
     "holding them) into the outputs a single `natcap run` would have written,\n"
     "the comparison with observed.csv included.  The scenarios, replications\n"
     "and seeds come from the parts; so do -i, --format, --tz, --observed-day\n"
     "and --observed-fold, unless given.",
     "-s, -r, --seed and the shard come from the parts", NULL},
    {"validate", cmd_validate, NULL, "input scenario verbose quiet",
     "load and check the input files; simulate nothing",
     "Loads and checks every input file and prints what it found: the counts of\n"
     "gateways, destinations, service rows, profiles and scenarios, then each\n"
     "scenario.  With -s, only the named scenarios (an unknown name is an error).\n"
     "Then the resolved configuration: per gateway, its pools and their sizes and\n"
     "the preset each value came from; per scenario, the rows each override\n"
     "touched, with the values before and after (-v: every one).\n"
     "With -q, nothing but errors and warnings.", NULL, NULL},
    {"estimate", cmd_estimate, NULL, "input output scenario quiet",
     "the analytic peak demand against capacity, in under a second",
     "Computes, for every scenario, gateway and pool that binds, the analytic peak\n"
     "demand (M(t)/G/infinity, as plan's), its time of day and the capacity, the\n"
     "instances without ports and a one-line verdict, without simulating; writes\n"
     "estimate.csv into the output directory.", NULL, NULL},
    {"init", cmd_init, "DIR", "preset",
     "write a small commented input set for a platform into DIR",
     "Writes gateways.csv, destinations.csv, services.csv, profiles.csv and\n"
     "scenarios.csv for the platform --preset names into DIR (created if\n"
     "missing), a small set that validates and runs: edit it into your own.\n"
     "Existing files are never overwritten (exit 73).", NULL, NULL},
    /* import and fit parse their own options (main.c calls them first); these
     * rows give them their line in the global help */
    {"import", cmd_help, "[-o FILE] FILE...", "help",
     "turn native metric exports (JSON) into observed.csv rows", NULL, NULL, NULL},
    {"fit", cmd_help, "",
     "input output scenario replications seed jobs tz observed-day observed-fold quiet help",
     "calibrate the inputs to observed.csv; write a fitted input set",
     "Calibrates the compared scenario to observed.csv (daily profile and rate, with\n"
     "--latency the hold time too) and writes a complete input directory (-o,\n"
     "default fitted, not outputs) with fit.csv and fit.md.", NULL, "scenario"},
    {"help", cmd_help, "[COMMAND]", "",
     "show the help of a command", "Shows the help of COMMAND, or the list of commands.", NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ------------------------------------------------------------------ helpers */

static size_t noptions(void)
{
    size_t n = 0;
    while (cli_options[n].name != NULL)
        n++;
    return n;
}

/* `word` is one of the space-separated words of `list`. */
static int has_word(const char *list, const char *word)
{
    if (list == NULL)
        return 0;
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - p) == n && strncmp(p, word, n) == 0)
            return 1;
        p = e;
    }
    return 0;
}

static int takes(const cli_command *cmd, const cli_option *o)
{
    return has_word(o->cmds, "*") || has_word(o->cmds, cmd->name) || has_word(cmd->opts, o->name);
}

static const cli_command *find_command(const char *name)
{
    for (const cli_command *k = cli_commands; k->name != NULL; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static int option_index(const char *name)
{
    for (size_t i = 0; cli_options[i].name != NULL; i++)
        if (strcmp(cli_options[i].name, name) == 0)
            return (int)i;
    return -1;
}

int cli_given(const cli *c, const char *name)
{
    int i = option_index(name);
    return i >= 0 && c->given[i];
}

void cli_log_error(const char *fmt, ...)
{
    va_list ap;
    fputs("natcap: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    fputs("natcap: ", stderr);
    if (c != NULL && c->cmd != NULL)
        fprintf(stderr, "%s: ", c->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (c != NULL && c->cmd != NULL)
        fprintf(stderr, "\nTry 'natcap %s --help' for more information.\n", c->cmd);
    else
        fputs("\nTry 'natcap --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return SIZE_MAX;
    size_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t sub = diag + (a[i - 1] != b[j - 1]);
            size_t best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[m];
}

const char *cli_nearest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = SIZE_MAX, len = strlen(word);
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (best == NULL || bestd == 0 || bestd > limit || bestd >= len)
        return NULL;
    return best;
}

/* ------------------------------------------------------------------- help */

/* "[-i DIR]", "[--seed N]", "[-s NAME]..." */
static void option_synopsis(const cli_command *cmd, const cli_option *o, char *buf, size_t size)
{
    const char *more = o->repeat && !has_word(cmd->once, o->name) ? "..." : "";
    if (o->short_name)
        snprintf(buf, size, "[-%c%s%s]%s", o->short_name, o->arg ? " " : "", o->arg ? o->arg : "",
                 more);
    else
        snprintf(buf, size, "[--%s%s%s]%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "", more);
}

/* "natcap run [-i DIR] ..." wrapped at 80 columns under the first option. */
static void synopsis(FILE *fp, const char *lead, const cli_command *cmd)
{
    int indent = fprintf(fp, "%snatcap %-9s", lead, cmd->name), col = indent;
    char word[128];
    for (size_t i = 0; cli_options[i].name != NULL; i++) {
        const cli_option *o = &cli_options[i];
        if (!takes(cmd, o) || has_word(o->cmds, "*"))
            continue;
        option_synopsis(cmd, o, word, sizeof word);
        int w = (int)strlen(word);
        if (col > indent && col + 1 + w > 80) {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        }
        col += fprintf(fp, "%s%s", col > indent ? " " : "", word);
    }
    if (cmd->operands != NULL && cmd->operands[0] != '\0') {
        int w = (int)strlen(cmd->operands);
        if (col > indent && col + 1 + w > 80) {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        }
        fprintf(fp, "%s%s", col > indent ? " " : "", cmd->operands);
    }
    fputc('\n', fp);
}

static void option_help(FILE *fp, const cli_option *o)
{
    char head[64];
    if (o->short_name)
        snprintf(head, sizeof head, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
    else
        snprintf(head, sizeof head, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    if (strlen(head) > 24)
        fprintf(fp, "  %s\n%27s", head, "");
    else
        fprintf(fp, "  %-24s ", head);
    for (const char *p = o->help; *p; p++) {
        fputc(*p, fp);
        if (*p == '\n')
            fprintf(fp, "%27s", "");
    }
    fputc('\n', fp);
}

/* The exit statuses; 3 only for the commands that can return it. */
static void exit_help(FILE *fp, const cli_command *cmd)
{
    int fe = cmd == NULL || has_word(cmd->opts, "fail-on-exhaustion");
    int fh = cmd == NULL || has_word(cmd->opts, "fail-below-headroom");
    fprintf(fp, "Exit status: 0 ok, 64 usage, 65 bad input, 73 cannot create output,\n"
                "74 read/write error, 130/143 interrupted%s%s%s%s.\n",
            fe || fh ? ";\n3 " : "", fe ? "exhaustion with --fail-on-exhaustion" : "",
            fe && fh ? " or " : "", fh ? "headroom below --fail-below-headroom" : "");
}

int cli_help(FILE *fp, const char *name)
{
    if (name == NULL) {
        for (const cli_command *k = cli_commands; k->name != NULL; k++)
            synopsis(fp, k == cli_commands ? "Usage: " : "       ", k);
        fputs("       natcap --help | --version\n"
              "\n"
              "Simulates a day of connections through NAT gateways and reports when and why\n"
              "they run out of source ports, and what fixes it.\n"
              "\n"
              "Commands:\n",
              fp);
        for (const cli_command *k = cli_commands; k->name != NULL; k++)
            fprintf(fp, "  %-10s %s\n", k->name, k->summary);
        fputs("\nRun 'natcap help COMMAND' or 'natcap COMMAND --help' for its options;\n"
              "'man natcap' for the whole manual.\n"
              "\n"
              "Environment: GSL_RNG_TYPE selects the generator (default taus2);\n"
              "SOURCE_DATE_EPOCH fixes the report date.\n",
              fp);
        exit_help(fp, NULL);
        return 0;
    }
    const cli_command *cmd = find_command(name);
    if (cmd == NULL)
        return -1;
    synopsis(fp, "Usage: ", cmd);
    fprintf(fp, "\n%s\n\nOptions:\n", cmd->about);
    for (size_t i = 0; cli_options[i].name != NULL; i++)
        if (takes(cmd, &cli_options[i]))
            option_help(fp, &cli_options[i]);
    fputc('\n', fp);
    exit_help(fp, cmd);
    return 0;
}

/* ------------------------------------------------------------------ parsing */

void cli_defaults(cli *c)
{
    c->input = "inputs";
    c->output = "outputs";
    c->replications = -1;
    c->seed = -1;
    c->jobs = batch_cpus();
    c->formats = PLOT_PNG | PLOT_PDF;
    c->preset = "aws";
    c->fail_below_headroom = NAN;
    c->platform = -1;
    plan_opts_default(&c->plan);
}

static int parse_number(cli *c, const cli_option *o, const char *label, const char *arg)
{
    char *end;
    errno = 0;
    if (o->kind == CLI_DOUBLE) {
        double v = *arg ? strtod(arg, &end) : 0;
        if (*arg == '\0' || errno != 0 || *end != '\0' || !(v >= o->lo && v <= o->hi))
            return cli_usage_error(c, "%s: expected %s, got '%s'", label, o->expect, arg);
        *(double *)(void *)((char *)c + o->offset) = v;
        return 0;
    }
    unsigned long long v = 0;
    int bad = *arg == '\0' || *arg == '-' || *arg == '+';
    if (!bad) {
        v = strtoull(arg, &end, 10);
        bad = errno != 0 || *end != '\0' || (double)v < o->lo || (double)v > o->hi ||
              v > (unsigned long long)LLONG_MAX;
    }
    if (bad)
        return cli_usage_error(c, "%s: expected %s, got '%s'", label, o->expect, arg);
    if (o->kind == CLI_UINT)
        *(unsigned *)(void *)((char *)c + o->offset) = (unsigned)v;
    else
        *(long long *)(void *)((char *)c + o->offset) = (long long)v;
    return 0;
}

/* "plan, estimate": the commands that take o */
static void owners_of(const cli_option *o, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const cli_command *k = cli_commands; k->name != NULL; k++)
        if (takes(k, o) && len + strlen(k->name) + 3 < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", k->name);
}

/* "option --growth belongs to plan" */
static int not_taken(const cli *c, const cli_command *cmd, const cli_option *o, const char *typed)
{
    char owners[256];
    owners_of(o, owners, sizeof owners);
    if (cmd->note != NULL)
        return cli_usage_error(c, "option %s belongs to %s (%s)", typed, owners, cmd->note);
    return cli_usage_error(c, "option %s belongs to %s", typed, owners);
}

/* A typo of another command's option: "unknown option --grwth (--growth is an
 * option of plan)". */
static int not_taken_near(const cli *c, const cli_command *cmd, const cli_option *o,
                          const char *name)
{
    char owners[256];
    owners_of(o, owners, sizeof owners);
    return cli_usage_error(c, "unknown option --%s (--%s is an option of %s, not of %s)", name,
                           o->name, owners, cmd->name);
}

/* An option no command takes: "unknown option --grwth (did you mean --growth?)". */
static int unknown_option(const cli *c, const cli_command *cmd, const char *typed)
{
    if (typed[0] != '-' || typed[1] != '-')
        return cli_usage_error(c, "unknown option %s", typed);
    char name[128];
    snprintf(name, sizeof name, "%s", typed + 2);
    name[strcspn(name, "=")] = '\0';
    const char *cands[CLI_MAX_OPTIONS];
    size_t n = 0;
    /* the command's own options first: a near one of those is the likely meaning */
    for (int pass = 0; pass < 2; pass++) {
        n = 0;
        for (size_t i = 0; cli_options[i].name != NULL; i++)
            if (pass == 1 || takes(cmd, &cli_options[i]))
                cands[n++] = cli_options[i].name;
        const char *near = cli_nearest(name, cands, n);
        if (near == NULL)
            continue;
        if (pass == 0)
            return cli_usage_error(c, "unknown option --%s (did you mean --%s?)", name, near);
        for (size_t i = 0; cli_options[i].name != NULL; i++)
            if (strcmp(cli_options[i].name, near) == 0)
                return not_taken_near(c, cmd, &cli_options[i], name);
    }
    return cli_usage_error(c, "unknown option --%s", name);
}

int cli_parse(int argc, char **argv, cli *c, const cli_command **cmdp, char ***operands,
              size_t *noperands)
{
    if (argc < 2) {
        cli_help(stderr, NULL);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        cli_help(stdout, NULL);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("natcap %s\n", NATCAP_VERSION);
        return 0;
    }
    const cli_command *cmd = find_command(name);
    if (cmd == NULL) {
        const char *cands[32];
        size_t n = 0;
        for (const cli_command *k = cli_commands; k->name != NULL && n < 32; k++)
            cands[n++] = k->name;
        const char *near = cli_nearest(name, cands, n);
        if (name[0] == '-')
            return cli_usage_error(NULL, "a command comes first: natcap COMMAND [OPTION]... "
                                         "(got '%s')", name);
        if (near != NULL)
            return cli_usage_error(NULL, "unknown command '%s' (did you mean '%s'?)", name, near);
        return cli_usage_error(NULL, "unknown command '%s'", name);
    }
    c->cmd = cmd->name;
    /* --help anywhere (before --) wins over everything else (GNU). */
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_help(stdout, cmd->name);
            return 0;
        }

    size_t nopt = noptions();
    struct option longopts[CLI_MAX_OPTIONS + 1];
    char optstring[3 * CLI_MAX_OPTIONS + 2] = ":";
    size_t ol = 1;
    for (size_t i = 0; i < nopt && i < CLI_MAX_OPTIONS; i++) {
        const cli_option *o = &cli_options[i];
        longopts[i] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
                                      256 + (int)i};
        if (o->short_name) {
            optstring[ol++] = (char)o->short_name;
            if (o->arg)
                optstring[ol++] = ':';
        }
    }
    optstring[ol] = '\0';
    longopts[nopt < CLI_MAX_OPTIONS ? nopt : CLI_MAX_OPTIONS] = (struct option){NULL, 0, NULL, 0};
    c->scenarios = calloc((size_t)argc + 1, sizeof *c->scenarios);
    if (c->scenarios == NULL) {
        cli_log_error("out of memory");
        return EXIT_SOFTWARE;
    }

    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    opterr = 0;
    optind = 1;
    int ch;
    while ((ch = getopt_long(sub_argc, sub_argv, optstring, longopts, NULL)) != -1) {
        int idx = -1;
        char typed[160];
        if (ch >= 256) {
            idx = ch - 256;
            snprintf(typed, sizeof typed, "--%s", cli_options[idx].name);
        } else if (ch != '?' && ch != ':') {
            for (size_t i = 0; i < nopt; i++)
                if (cli_options[i].short_name == ch)
                    idx = (int)i;
            snprintf(typed, sizeof typed, "-%c", ch);
        }
        if (ch == ':') {   /* missing value: optopt is the short name or the long val */
            const cli_option *o = optopt >= 256 ? &cli_options[optopt - 256] : NULL;
            for (size_t i = 0; o == NULL && i < nopt; i++)
                if (cli_options[i].short_name == optopt)
                    o = &cli_options[i];
            if (o == NULL)
                return cli_usage_error(c, "missing value: %s", sub_argv[optind - 1]);
            if (!takes(cmd, o))
                return not_taken(c, cmd, o, sub_argv[optind - 1]);
            return cli_usage_error(c, "option %s needs a value (%s)", sub_argv[optind - 1], o->arg);
        }
        if (ch == '?' || idx < 0) {
            if (optopt != 0 && optopt < 256) {
                snprintf(typed, sizeof typed, "-%c", optopt);
                return unknown_option(c, cmd, typed);
            }
            return unknown_option(c, cmd, sub_argv[optind - 1]);
        }
        const cli_option *o = &cli_options[idx];
        if (!takes(cmd, o))
            return not_taken(c, cmd, o, typed);
        if (strcmp(o->name, "help") == 0) {   /* an abbreviation such as --he */
            cli_help(stdout, cmd->name);
            return 0;
        }
        if (strcmp(o->name, "version") == 0) {
            printf("natcap %s\n", NATCAP_VERSION);
            return 0;
        }
        c->given[idx] = 1;
        char label[96];
        if (o->short_name)
            snprintf(label, sizeof label, "-%c/--%s", o->short_name, o->name);
        else
            snprintf(label, sizeof label, "--%s", o->name);
        int rc = 0;
        switch (o->kind) {
        case CLI_FLAG:
            if (o->offset != 0)
                *(int *)(void *)((char *)c + o->offset) = 1;
            break;
        case CLI_STRING:
            *(const char **)(void *)((char *)c + o->offset) = optarg;
            break;
        case CLI_UINT:
        case CLI_LLONG:
        case CLI_DOUBLE:
            rc = parse_number(c, o, label, optarg);
            break;
        case CLI_CALL:
            rc = o->call(c, optarg);
            break;
        }
        if (rc != 0)
            return rc;
    }
    *operands = sub_argv + optind;
    *noperands = (size_t)(sub_argc - optind);
    if (cmd->operands == NULL && *noperands > 0) {
        const char *arg = (*operands)[0];
        struct stat sb;
        int inputs = has_word(cmd->opts, "input");
        if (inputs && stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode))
            return cli_usage_error(c, "unexpected argument '%s' (did you mean -i %s?)", arg, arg);
        return cli_usage_error(c, "unexpected argument '%s'", arg);
    }
    *cmdp = cmd;
    return -1;
}

/* natcap help [COMMAND] */
static int cmd_help(const cli *c, char **operands, size_t noperands)
{
    if (noperands == 0)
        return cli_help(stdout, NULL);
    if (noperands > 1)
        return cli_usage_error(c, "unexpected argument '%s'", operands[1]);
    if (cli_help(stdout, operands[0]) == 0)
        return 0;
    const char *cands[32];
    size_t n = 0;
    for (const cli_command *k = cli_commands; k->name != NULL && n < 32; k++)
        cands[n++] = k->name;
    const char *near = cli_nearest(operands[0], cands, n);
    if (near != NULL)
        return cli_usage_error(c, "unknown command '%s' (did you mean '%s'?)", operands[0], near);
    return cli_usage_error(c, "unknown command '%s'", operands[0]);
}
