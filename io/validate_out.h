/*
 * validate_out.h - what `natcap validate` prints after the counts: the
 * resolved configuration of every gateway with where each value came from
 * (preset, explicit, default, azure_lb backend tier), and per scenario what
 * each override touched, with the values before and after.  Short by
 * default; verbose: every gateway column and every row an override touched.
 * Input warnings go after this (printed by the caller).
 */
#ifndef NATCAP_IO_VALIDATE_OUT_H
#define NATCAP_IO_VALIDATE_OUT_H

#include "../model/config.h"
#include "explain.h"

#include <stdio.h>

void validate_print(FILE *fp, const nc_input *in, const csv_explain *ex, int verbose);

#endif
