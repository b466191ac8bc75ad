/*
 * nc.h - project-wide basics: status codes, the error record, simulated time.
 *
 * Every module returns an nc_status; the human-readable detail of a failure
 * goes into a caller-provided nc_error (file, line, column name, message).
 * Library code never prints and never exits: main.c reports.
 */
#ifndef NATCAP_MODEL_NC_H
#define NATCAP_MODEL_NC_H

#include <stdint.h>
#include <stddef.h>

#define NATCAP_VERSION "0.1.0"

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

/* Simulated time: integer microseconds.  Day 0 starts at 0; the warm-up runs
 * at negative times.  int64 covers ±292,000 years. */
typedef int64_t sim_time;
#define SIM_US_PER_S INT64_C(1000000)
#define SIM_TIME_NONE INT64_MAX

static inline sim_time sim_from_s(double s) { return (sim_time)(s * 1e6 + (s >= 0 ? 0.5 : -0.5)); }
static inline double sim_to_s(sim_time t) { return (double)t / 1e6; }

#endif
