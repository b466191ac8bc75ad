/*
 * csv_read.c - see csv_read.h.
 *
 * libcsv reports no positions, so the file is fed to csv_parse one physical
 * line at a time: callbacks fire synchronously, so they belong to the line
 * just fed.  Before each line, a parser in its "row not begun" state means a
 * new record starts on that line; that is the line we report for the record
 * (the first line of a multi-line quoted record).  libcsv cannot be stopped
 * from a callback, so the first error is kept in the reader and later
 * callbacks return at once.
 */
#include "csv_read.h"

#include "csv_value.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_NOT_BEGUN 0   /* libcsv's csv_parser.pstate between records */

typedef struct reader {
    csv_read_table *t;
    nc_error *err;
    nc_status st;         /* first failure; once set, callbacks do nothing */
    long line;            /* physical line being fed */
    long rec_line;        /* first line of the current record */
    size_t nfields;       /* fields seen so far in the current record */
    size_t rec_cell;      /* ncell at the start of the current record */
    size_t rec_text;      /* ntext at the start of the current record */
    int any_value;        /* the current record has a non-blank field */
    int have_header;
    size_t ncell, capcell, ntext, captext, caprows;
} reader;

/* Room for `need` elements of `size` bytes in block p of capacity *cap: the block (maybe
 * moved), or NULL when out of memory (p is then still valid and owned by the caller). */
static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / size)
            return NULL;
        ncap *= 2;
    }
    void *q = realloc(p, ncap * size);
    if (q != NULL)
        *cap = ncap;
    return q;
}

/* NULL when s[0..n) is valid UTF-8 without NUL or byte-order mark, else why not. */
static const char *bad_bytes(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c == 0)
            return "contains a NUL byte";
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c < 0xC2 || c > 0xF4 || i + len > n)
            return "is not valid UTF-8";
        unsigned cp = c & (0x7Fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return "is not valid UTF-8";
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        /* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return "is not valid UTF-8";
        if (cp == 0xFEFF)
            return "contains a byte-order mark (U+FEFF), allowed only at the start of the file";
        i += len;
    }
    return NULL;
}

const char *csv_read_header(const csv_read_table *t, size_t col)
{
    uint32_t off = t->cell[col];
    return off == CSV_READ_BLANK ? "" : t->text + off;
}

const char *csv_read_cell(const csv_read_table *t, size_t row, size_t col)
{
    uint32_t off = t->cell[(row + 1) * t->ncols + col];
    return off == CSV_READ_BLANK ? NULL : t->text + off;
}

/* Column name of field `i` of the current record, for messages; NULL if none. */
static const char *field_name(const reader *r, size_t i)
{
    if (!r->have_header || i >= r->t->ncols)
        return NULL;
    return csv_read_header(r->t, i);
}

static void fail(reader *r, nc_status st, long line, const char *column, const char *what)
{
    if (r->st != NC_OK)
        return;
    /* Header names are not checked yet when a row fails to parse: show control
     * bytes as '?' so the message stays one printable line (found by fuzzing). */
    char col[80];
    if (column != NULL)
        column = csv_value_show(column, col, sizeof col);
    r->st = nc_error_set(r->err, st, r->t->path, line, column, "%s", what);
}

static int is_blank_char(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* libcsv field callback: check, trim and store one field. */
static void on_field(void *field, size_t len, void *ud)
{
    reader *r = ud;
    if (r->st != NC_OK)
        return;
    size_t idx = r->nfields++;
    const unsigned char *s = field;
    if (s == NULL)
        len = 0;
    const char *why = bad_bytes(s, len);
    if (why != NULL) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s %s", r->have_header ? "value" : "header", why);
        fail(r, NC_EINPUT, r->rec_line, field_name(r, idx), msg);
        return;
    }
    if (!r->have_header && idx >= CSV_READ_MAX_COLS) {
        fail(r, NC_EINPUT, r->rec_line, NULL, "the header has more than 1024 columns");
        return;
    }
    if (r->have_header && idx >= r->t->ncols)
        return;  /* ragged row, reported at the end of the record */
    while (len > 0 && is_blank_char(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_blank_char(s[len - 1]))
        len--;
    uint32_t *cell = grow(r->t->cell, &r->capcell, r->ncell + 1, sizeof *cell);
    if (cell == NULL) {
        fail(r, NC_ENOMEM, r->rec_line, NULL, "out of memory");
        return;
    }
    r->t->cell = cell;
    if (len == 0) {
        r->t->cell[r->ncell++] = CSV_READ_BLANK;
        return;
    }
    char *text = grow(r->t->text, &r->captext, r->ntext + len + 1, 1);
    if (text == NULL) {
        fail(r, NC_ENOMEM, r->rec_line, NULL, "out of memory");
        return;
    }
    r->t->text = text;
    memcpy(r->t->text + r->ntext, s, len);
    r->t->text[r->ntext + len] = '\0';
    r->t->cell[r->ncell++] = (uint32_t)r->ntext;
    r->ntext += len + 1;
    r->any_value = 1;
}

static void discard_record(reader *r)
{
    r->ncell = r->rec_cell;
    r->ntext = r->rec_text;
}

/* libcsv record callback: the record becomes the header, a data row, or is dropped. */
static void on_record(int c, void *ud)
{
    reader *r = ud;
    (void)c;
    size_t nfields = r->nfields;
    r->nfields = 0;
    if (r->st != NC_OK)
        return;
    uint32_t first = r->ncell > r->rec_cell ? r->t->cell[r->rec_cell] : CSV_READ_BLANK;
    int comment = first != CSV_READ_BLANK && r->t->text[first] == '#';
    if (comment || !r->any_value) {
        discard_record(r);
    } else if (!r->have_header) {
        r->have_header = 1;
        r->t->ncols = nfields;
        r->t->header_line = r->rec_line;
    } else if (nfields != r->t->ncols) {
        char msg[160];
        snprintf(msg, sizeof msg, "this row has %zu fields but the header (line %ld) has %zu",
                 nfields, r->t->header_line, r->t->ncols);
        fail(r, NC_EINPUT, r->rec_line, NULL, msg);
    } else {
        long *lines = grow(r->t->row_line, &r->caprows, r->t->nrows + 1, sizeof *lines);
        if (lines == NULL) {
            fail(r, NC_ENOMEM, r->rec_line, NULL, "out of memory");
        } else {
            r->t->row_line = lines;
            r->t->row_line[r->t->nrows++] = r->rec_line;
        }
    }
    r->rec_cell = r->ncell;
    r->rec_text = r->ntext;
    r->any_value = 0;
}

/* Read the whole file; *missing = 1 (and NC_OK) when it does not exist. */
static nc_status slurp(const char *path, unsigned char **buf, size_t *len, int *missing,
                       nc_error *err)
{
    *buf = NULL;
    *len = 0;
    *missing = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (errno == ENOENT) {
            *missing = 1;
            return NC_OK;
        }
        return nc_error_set(err, NC_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    }
    size_t cap = 0;
    nc_status st = NC_OK;
    for (;;) {
        unsigned char *nbuf = grow(*buf, &cap, *len + 65536, 1);
        if (nbuf == NULL) {
            st = nc_error_set(err, NC_ENOMEM, path, 0, NULL, "out of memory");
            break;
        }
        *buf = nbuf;
        size_t n = fread(*buf + *len, 1, cap - *len, f);
        *len += n;
        if (*len > CSV_READ_MAX_BYTES) {
            st = nc_error_set(err, NC_EINPUT, path, 0, NULL,
                              "file is larger than %u MiB", CSV_READ_MAX_BYTES >> 20);
            break;
        }
        if (n == 0) {
            if (ferror(f))
                st = nc_error_set(err, NC_EIO, path, 0, NULL, "cannot read: %s",
                                  strerror(errno ? errno : EIO));
            break;
        }
    }
    fclose(f);
    if (st != NC_OK) {
        free(*buf);
        *buf = NULL;
    }
    return st;
}

/* A line starting a record whose first non-blank byte is '#'. */
static int is_comment_line(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i < n && s[i] == '#';
}

static void parse_error(reader *r, struct csv_parser *p, long line)
{
    int e = csv_error(p);
    if (e == CSV_ENOMEM) {
        fail(r, NC_ENOMEM, line, NULL, "out of memory");
        return;
    }
    if (e != CSV_EPARSE) {
        fail(r, NC_EINPUT, line, NULL, csv_strerror(e));
        return;
    }
    fail(r, NC_EINPUT, line, field_name(r, r->nfields),
         "misplaced quote: quote the whole field and double any quote inside it");
}

/* Feed buf[0..len) to libcsv line by line. */
static void parse_lines(reader *r, struct csv_parser *p, const unsigned char *buf, size_t len)
{
    size_t pos = 0;
    for (r->line = 1; pos < len && r->st == NC_OK; r->line++) {
        const unsigned char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
        if (p->pstate == ROW_NOT_BEGUN) {
            r->rec_line = r->line;
            if (is_comment_line(buf + pos, n)) {
                const char *why = bad_bytes(buf + pos, n);
                if (why != NULL) {
                    char msg[160];
                    snprintf(msg, sizeof msg, "comment %s", why);
                    fail(r, NC_EINPUT, r->line, NULL, msg);
                }
                pos += n;
                continue;
            }
        }
        size_t used = csv_parse(p, buf + pos, n, on_field, on_record, r);
        if (r->st == NC_OK && used < n)
            parse_error(r, p, r->line);
        pos += n;
    }
    if (r->st != NC_OK)
        return;
    if (csv_fini(p, on_field, on_record, r) != 0 && r->st == NC_OK) {
        if (csv_error(p) == CSV_EPARSE)
            fail(r, NC_EINPUT, r->rec_line, field_name(r, r->nfields),
                 "unterminated quoted field: a quote opened in this row is never closed");
        else
            parse_error(r, p, r->rec_line);
    }
}

nc_status csv_read_file(const char *path, int required, csv_read_table *out, nc_error *err)
{
    memset(out, 0, sizeof *out);
    unsigned char *buf;
    size_t len;
    int missing;
    nc_status st = slurp(path, &buf, &len, &missing, err);
    if (st != NC_OK)
        return st;
    st = csv_read_buffer(path, missing ? NULL : buf, len, required, out, err);
    free(buf);
    return st;
}

nc_status csv_read_buffer(const char *path, const void *data, size_t len, int required,
                          csv_read_table *out, nc_error *err)
{
    const unsigned char *buf = data;
    memset(out, 0, sizeof *out);
    if (buf == NULL && required)
        return nc_error_set(err, NC_EINPUT, path, 0, NULL, "required file is missing");
    if (len > CSV_READ_MAX_BYTES)
        return nc_error_set(err, NC_EINPUT, path, 0, NULL, "file is larger than %u MiB",
                            CSV_READ_MAX_BYTES >> 20);
    out->path = strdup(path);
    if (out->path == NULL)
        return nc_error_set(err, NC_ENOMEM, path, 0, NULL, "out of memory");
    if (buf == NULL)
        return NC_OK;
    out->present = 1;

    reader r = {.t = out, .err = err, .st = NC_OK};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) {
        csv_read_free(out);
        return nc_error_set(err, NC_ENOMEM, path, 0, NULL, "out of memory");
    }
    size_t skip = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    parse_lines(&r, &p, buf + skip, len - skip);
    csv_free(&p);
    nc_status st = r.st;
    /* a file that is there but empty, optional or not: it was meant to say something */
    if (st == NC_OK && !r.have_header)
        st = nc_error_set(err, NC_EINPUT, path, 0, NULL,
                          "no header row (the file is empty or holds only comments and blank "
                          "lines); delete it or give its header");
    if (st != NC_OK)
        csv_read_free(out);
    return st;
}

void csv_read_free(csv_read_table *t)
{
    if (t == NULL)
        return;
    free(t->path);
    free(t->row_line);
    free(t->cell);
    free(t->text);
    memset(t, 0, sizeof *t);
}
