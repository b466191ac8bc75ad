/*
 * csv_read.h - read one CSV file (RFC 4180, via libcsv) into a table of raw
 * cell strings, with the physical line of every record.
 *
 * The file is read whole (at most CSV_READ_MAX_BYTES) and checked byte by
 * byte: a UTF-8 byte-order mark is stripped at the start and an error
 * anywhere else, as are NUL bytes and invalid UTF-8.  LF and CRLF line
 * endings, quoted fields, embedded commas, quotes and newlines.  A line that
 * starts with '#' (or a record whose first field does) is a comment; blank
 * lines and records whose fields are all blank are skipped.  The first
 * remaining record is the header; every other record must have exactly as
 * many fields.  Every cell is trimmed of spaces and tabs at both ends, quoted
 * or not; a cell that is then empty is "blank" and reads as NULL.
 *
 * Knows nothing of natcap's columns: csv_in.c checks names and values.
 * Cost: O(file size) time and about 2x file size memory.
 */
#ifndef NATCAP_IO_CSV_READ_H
#define NATCAP_IO_CSV_READ_H

#include "../model/status.h"

#include <stddef.h>
#include <stdint.h>

#define CSV_READ_MAX_BYTES (64u << 20)  /* larger files are rejected: inputs are small */
#define CSV_READ_MAX_COLS 1024          /* columns in the header, same reason */

typedef struct csv_read_table {
    char *path;            /* owned, "DIR/name.csv", used in every message */
    int present;           /* 0: the (optional) file does not exist; then no rows */
    long header_line;      /* physical line of the header, 0 when there is none */
    size_t ncols;          /* fields of the header */
    size_t nrows;          /* data records */
    long *row_line;        /* [nrows] first physical line of each data record */
    uint32_t *cell;        /* [(nrows + 1) * ncols] offsets into text, header first */
    char *text;            /* NUL-terminated cell strings */
} csv_read_table;

#define CSV_READ_BLANK UINT32_MAX   /* cell offset of a blank cell */

/* Read and split `path` into *out (zeroed first).  A missing file is
 * NC_EINPUT "required file is missing" when `required`, else NC_OK with
 * out->present = 0.  A file without a header record is NC_EINPUT when
 * `required`, else a table of zero columns and rows.  Unreadable: NC_EIO.
 * On error *out is freed and zeroed (the path is not kept). */
nc_status csv_read_file(const char *path, int required, csv_read_table *out, nc_error *err);

/* The same from the bytes data[0..len) of a file named `path` (for messages);
 * data == NULL means the file does not exist (len 0 with data != NULL is an
 * empty file).  data is borrowed.  Used by csv_read_file and the fuzzer. */
nc_status csv_read_buffer(const char *path, const void *data, size_t len, int required,
                          csv_read_table *out, nc_error *err);

/* Free every member and zero the table.  NULL is a no-op. */
void csv_read_free(csv_read_table *t);

/* Header name of column `col` (never NULL: a blank header name reads ""). */
const char *csv_read_header(const csv_read_table *t, size_t col);

/* Cell of data row `row` (0-based) and column `col`; NULL when blank. */
const char *csv_read_cell(const csv_read_table *t, size_t row, size_t col);

#endif
