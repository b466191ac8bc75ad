/*
 * cli.h - natcap's command line: the table of commands, the table of
 * options, parsing argv against them, usage and help text, "did you mean".
 *
 * Every command and every option is one row of a table in cli.c; parsing,
 * `natcap CMD --help`, `natcap help CMD`, the global --help, the check that
 * a command takes an option ("natcap: run: option --growth belongs to plan")
 * and the suggestions for a misspelt option or command are all derived from
 * those rows.  Nothing else about the command line lives outside cli.c.
 *
 * To add an OPTION:
 *   1. add its field to `struct cli` below (with its default, if not 0/NULL,
 *      in cli_defaults() in cli.c);
 *   2. add one row to cli_options[] in cli.c, e.g.
 *        {"max-scale", 0, "X", CLI_DOUBLE, CLI_AT(plan.max_scale), 1, 1000,
 *         "a number from 1 to 1000", "plan", "stop the headroom search at X x load"},
 *      The kinds: CLI_FLAG (int set to 1), CLI_STRING (const char *),
 *      CLI_UINT (unsigned) and CLI_LLONG (long long) with a [lo, hi] range,
 *      CLI_DOUBLE with a [lo, hi] range, CLI_CALL (a function of yours
 *      parses the value).  `cmds` names the commands that take it
 *      ("run plan"; "*" for every command).  A range error reads
 *      "--max-scale: expected a number from 1 to 1000, got 'x'".
 *   Whether it was given is cli_given(c, "max-scale").
 *
 * To add a COMMAND:
 *   1. write cmd_NAME.c with `int cmd_NAME(const cli *c, char **operands,
 *      size_t noperands)` returning the exit status (helpers in cmd.h), and
 *      declare it in cmd.h;
 *   2. add one row to cli_commands[] in cli.c: name, handler, operands
 *      (e.g. "DIR", "PART..."; NULL when it takes none), the long names of
 *      the existing options it takes ("input scenario quiet"), a one-line
 *      summary and a paragraph for its --help.
 *   An option belongs to a command when either row says so, so a new
 *   option for one command touches only cli_options[], and a new command
 *   only cli_commands[].
 *
 * -h/--help anywhere prints that command's help (stdout, exit 0) and
 * ignores the other arguments; -V/--version prints the version.
 */
#ifndef NATCAP_CLI_H
#define NATCAP_CLI_H

#include "io/observed_in.h"
#include "model/plan.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses (SPEC §1; sysexits(3)). */
enum {
    EXIT_EXHAUSTED = 3,
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,
    EXIT_SOFTWARE = 70,
    EXIT_CANTCREAT = 73,
    EXIT_IOERR = 74
};

#define CLI_MAX_OPTIONS 64

/* The parsed command line: every option of every command. */
typedef struct cli {
    const char *cmd;
    const char *input, *output;
    const char **scenarios;     /* -s NAME..., in the order given */
    size_t nscenarios;
    long long replications;     /* -1: from scenarios.csv */
    long long seed;             /* -1: from scenarios.csv */
    unsigned jobs;
    unsigned formats;           /* PLOT_PNG | PLOT_PDF | PLOT_SVG */
    int fail_on_exhaustion, quiet;
    int verbose;                /* validate -v */
    plan_opts plan;
    uint32_t shard_k, shard_n;  /* --shard K/N; shard_n 0: not given */
    unsigned shards;            /* --shards N; 0: not given */
    const char *preset;         /* init --preset P */
    observed_in_opts obs;       /* --tz, --observed-day, --observed-fold (observed.csv) */
    double fail_below_headroom; /* plan --fail-below-headroom H; NAN: not given */
    int platform;               /* alerts --platform P (model/platform.h); -1: each gateway's preset */
    unsigned char given[CLI_MAX_OPTIONS];   /* per row of cli_options[] */
} cli;

typedef int (*cli_handler)(const cli *c, char **operands, size_t noperands);

typedef struct cli_command {
    const char *name;
    cli_handler run;
    const char *operands;   /* synopsis of the operands; NULL: none taken */
    const char *opts;       /* long names of the options it takes, space separated */
    const char *summary;    /* one line for the global help */
    const char *about;      /* paragraph for `natcap help CMD` */
    const char *note;       /* added to "option X belongs to ..." (may be NULL) */
    const char *once;       /* repeatable options it takes at most once (may be NULL) */
} cli_command;

typedef enum cli_kind { CLI_FLAG, CLI_STRING, CLI_UINT, CLI_LLONG, CLI_DOUBLE, CLI_CALL } cli_kind;

typedef struct cli_option {
    const char *name;       /* long name, without "--" */
    int short_name;         /* 0: none */
    const char *arg;        /* metavariable ("DIR"); NULL: takes no value */
    cli_kind kind;
    size_t offset;          /* of the field in struct cli (CLI_AT); 0 for --help and
                             * --version, which the parser acts on itself */
    double lo, hi;          /* range of CLI_UINT, CLI_LLONG, CLI_DOUBLE */
    const char *expect;     /* "an integer from 1 to 1024": for the range error */
    const char *cmds;       /* commands that take it: "run plan", "*" */
    const char *help;
    /* CLI_CALL: parse `arg` into c; 0 or the exit status (use cli_usage_error) */
    int (*call)(cli *c, const char *arg);
    int repeat;             /* may be given more than once ("[-s NAME]...") */
} cli_option;

#define CLI_AT(field) offsetof(cli, field)

extern const cli_command cli_commands[];
extern const cli_option cli_options[];

/* Defaults of every option (SPEC §1). */
void cli_defaults(cli *c);

/* Parse argv (argv[0] the program, argv[1] the command).  Returns -1 with
 * *cmd and the operands set when the command should run, else the exit
 * status (0 after --help or --version; 64 on bad usage, message printed). */
int cli_parse(int argc, char **argv, cli *c, const cli_command **cmd, char ***operands,
              size_t *noperands);

/* Nonzero when the option with this long name was given. */
int cli_given(const cli *c, const char *name);

/* `natcap help [CMD]`: the command's help, or the global one when cmd is NULL. */
int cli_help(FILE *fp, const char *cmd);

/* "natcap: MSG\nTry 'natcap CMD --help' ..." on stderr; returns 64. */
__attribute__((format(printf, 2, 3))) int cli_usage_error(const cli *c, const char *fmt, ...);

/* "natcap: MSG" on stderr. */
__attribute__((format(printf, 1, 2))) void cli_log_error(const char *fmt, ...);

/* The candidate nearest to `word` by edit distance, if it is near enough
 * to be a likely typo (at most 2 edits, or a third of the word); else NULL. */
const char *cli_nearest(const char *word, const char *const *cands, size_t n);

#endif
