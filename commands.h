/*
 * commands.h - commands that live in their own top-level files beside main.c
 * (cmd_*.c).  Each takes the arguments after "natcap" (argv[0] is the
 * command's name) and returns the exit status of SPEC §1.
 */
#ifndef NATCAP_COMMANDS_H
#define NATCAP_COMMANDS_H

int cmd_import(int argc, char **argv);
int cmd_fit(int argc, char **argv);

#endif
