/*
 * status.h - the status codes every module returns and the error record.
 *
 * The bottom of model/: it includes nothing of the project.  Every module
 * returns an nc_status; the human-readable detail of a failure goes into a
 * caller-provided nc_error (file, line, column name, message).  Library code
 * never prints and never exits: main.c reports.
 */
#ifndef NATCAP_MODEL_STATUS_H
#define NATCAP_MODEL_STATUS_H

#include <stddef.h>

typedef enum nc_status {
    NC_OK = 0,
    NC_ENOMEM,   /* allocation failed */
    NC_EINPUT,   /* invalid input data (exit 65) */
    NC_EIO,      /* an input or output file could not be read or written (74) */
    NC_ECREATE,  /* an output file or directory could not be created (73) */
    NC_EINTR,    /* interrupted by a signal */
    NC_EUSAGE    /* bad command line (64) */
} nc_status;

/* Where and why something failed.  `line` is 1-based, 0 when unknown;
 * `column` is the CSV column name, empty when not about one column. */
typedef struct nc_error {
    nc_status code;
    char file[512];
    long line;
    char column[80];
    char msg[512];
} nc_error;

const char *nc_status_str(nc_status st);

/* Fill `err` (may be NULL) and return `code`.  file/column may be NULL. */
nc_status nc_error_set(nc_error *err, nc_status code, const char *file, long line,
                       const char *column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* "FILE:LINE: column 'COL': MSG" (parts omitted when absent) into buf. */
void nc_error_format(const nc_error *err, char *buf, size_t len);

#endif
