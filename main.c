/*
 * main.c - natcap's entry point: parse the command line (cli.h) and run the
 * command it names (cmd_*.c); choose the exit status (SPEC §1).
 */
#include "cli.h"
#include "cmd.h"
#include "commands.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    cli c;
    memset(&c, 0, sizeof c);
    cli_defaults(&c);
    /* import and fit parse their own options (commands.h) */
    if (argc >= 2 && strcmp(argv[1], "import") == 0)
        return cmd_import(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "fit") == 0)
        return cmd_fit(argc - 1, argv + 1);
    if (argc >= 3 && strcmp(argv[1], "help") == 0 &&
        (strcmp(argv[2], "import") == 0 || strcmp(argv[2], "fit") == 0)) {
        char *args[] = {argv[2], (char *)"--help", NULL};
        return strcmp(argv[2], "import") == 0 ? cmd_import(2, args) : cmd_fit(2, args);
    }
    const cli_command *cmd = NULL;
    char **operands = NULL;
    size_t noperands = 0;
    int rc = cli_parse(argc, argv, &c, &cmd, &operands, &noperands);
    if (rc < 0)
        rc = cmd->run(&c, operands, noperands);
    free(c.scenarios);
    nc_observed_free(&cmd_observed);
    /* The summary table or counts could not be written (stdout on a full disk,
     * /dev/full, a closed pipe's EPIPE): a write error, not success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_log_error("cannot write standard output: %s", strerror(errno ? errno : EIO));
        if (rc == 0 || rc == EXIT_EXHAUSTED)
            rc = EXIT_IOERR;
    }
    return rc;
}
