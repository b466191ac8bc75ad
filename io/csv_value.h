/*
 * csv_value.h - parse and check one CSV cell: numbers, integers, names,
 * times and keywords, with messages that name the cell.
 *
 * A csv_value is a cell's trimmed text plus where it came from (file, line,
 * column), so that a value from scenarios.csv that overrides a cell of
 * services.csv is checked by the same code and blamed on its own line.
 * Every parser writes *out only on success and leaves it untouched for a
 * blank cell that is not required: callers store the default first.
 * Numbers are read under the C locale whatever LC_NUMERIC says (csv_in sets
 * it for the thread); NaN, infinities, hex, ',' decimals, overflow and
 * trailing junk are rejected.
 */
#ifndef NATCAP_IO_CSV_VALUE_H
#define NATCAP_IO_CSV_VALUE_H

#include "../model/config.h"
#include "../model/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct csv_value {
    const char *s;       /* trimmed text; NULL when blank or the column is absent */
    const char *file;    /* borrowed, for messages */
    const char *col;     /* column name, borrowed */
    long line;           /* physical line of the record */
    int override;        /* 1 when the value comes from scenarios.csv */
} csv_value;

/* Range of a number: lo < x (lo_open) or lo <= x, and x <= hi. */
typedef struct csv_value_num {
    double lo;
    int lo_open;
    double hi;
} csv_value_num;

/* Range of an integer; show_range: the message says "from lo to hi", else ">= lo"
 * (hi is a sanity cap, mentioned only when exceeded). */
typedef struct csv_value_int {
    uint64_t lo, hi;
    int show_range;
} csv_value_int;

/* NC_EINPUT with file, line and column of v and a printf-style message. */
nc_status csv_value_error(const csv_value *v, nc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

nc_status csv_value_number(const csv_value *v, const csv_value_num *r, int required,
                           double *out, nc_error *err);
nc_status csv_value_integer(const csv_value *v, const csv_value_int *r, int required,
                            uint64_t *out, nc_error *err);
nc_status csv_value_u32(const csv_value *v, const csv_value_int *r, int required,
                        uint32_t *out, nc_error *err);

/* A name (SPEC §2): 1-64 of A-Z a-z 0-9 . _ -, not starting with '.'. */
int csv_value_is_name(const char *s);
nc_status csv_value_name(const csv_value *v, int required, char out[NC_NAME_MAX + 1],
                         nc_error *err);

/* HH:MM or HH:MM:SS from 00:00 to 24:00:00, into seconds of the day.  Required. */
nc_status csv_value_time(const csv_value *v, double *out_s, nc_error *err);

/* One of names[0..n) (exact match) into *out as its index. */
nc_status csv_value_keyword(const csv_value *v, const char *const *names, size_t n,
                            int required, int *out, nc_error *err);

/* The candidate closest to s by edit distance (ignoring ASCII case), NULL when
 * none is close enough to be a plausible typo. */
const char *csv_value_nearest(const char *s, const char *const *cands, size_t n);

/* s shortened to fit len and with control bytes shown as '?', for messages. */
const char *csv_value_show(const char *s, char *buf, size_t len);

#endif
