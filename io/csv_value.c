/*
 * csv_value.c - see csv_value.h.  Messages read after "column 'X': ", e.g.
 * `expected a number >= 0, got "fast"`.  Every parser first checks the
 * grammar itself (ASCII only, so neither locale nor strtod's extensions
 * such as "nan", "inf" or hex floats can slip in), then converts.
 */
#include "csv_value.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW 64   /* bytes of a bad value quoted back in a message */

nc_status csv_value_error(const csv_value *v, nc_error *err, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nc_error_set(err, NC_EINPUT, v->file, v->line, v->col, "%s", msg);
}

const char *csv_value_show(const char *s, char *buf, size_t len)
{
    size_t n = strlen(s);
    size_t max = len > 4 ? len - 4 : 0;   /* room for "..." and NUL */
    int cut = n > max;
    if (cut) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;   /* do not split a UTF-8 sequence */
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? '?' : s[i];
    snprintf(buf + n, len - n, "%s", cut ? "..." : "");
    return buf;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* [+-] digits [. digits] [(e|E) [+-] digits], with at least one mantissa digit. */
static int is_decimal(const char *p)
{
    size_t digits = 0;
    if (*p == '+' || *p == '-')
        p++;
    for (; is_digit(*p); p++)
        digits++;
    if (*p == '.')
        for (p++; is_digit(*p); p++)
            digits++;
    if (digits == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return 0;
        while (is_digit(*p))
            p++;
    }
    return *p == '\0';
}

/* %g, but integers up to 1e15 in full ("1000000000" rather than "1e+09"). */
static const char *fmt_num(double x, char *buf, size_t len)
{
    if (fabs(x) < 1e15 && x == floor(x))
        snprintf(buf, len, "%.0f", x);
    else
        snprintf(buf, len, "%g", x);
    return buf;
}

/* "expected a number > 0, got "x"" and its variants; formatted only on error. */
static nc_status number_error(const csv_value *v, const csv_value_num *r, int above,
                              nc_error *err)
{
    char lo[32], hi[32], got[SHOW];
    const char *op = r->lo_open ? ">" : ">=";
    fmt_num(r->lo, lo, sizeof lo);
    fmt_num(r->hi, hi, sizeof hi);
    if (v->s == NULL)
        return csv_value_error(v, err, "missing value: expected a number %s %s", op, lo);
    csv_value_show(v->s, got, sizeof got);
    if (above)
        return csv_value_error(v, err, "expected a number %s %s and <= %s, got \"%s\"", op, lo,
                               hi, got);
    const char *hint = strchr(v->s, ',') ? " (use '.' as the decimal point)" : "";
    return csv_value_error(v, err, "expected a number %s %s, got \"%s\"%s", op, lo, got, hint);
}

nc_status csv_value_number(const csv_value *v, const csv_value_num *r, int required,
                           double *out, nc_error *err)
{
    if (v->s == NULL)
        return required ? number_error(v, r, 0, err) : NC_OK;
    if (!is_decimal(v->s))
        return number_error(v, r, 0, err);
    errno = 0;
    double x = strtod(v->s, NULL);
    if (errno == ERANGE || !isfinite(x)) {
        char got[SHOW];
        return csv_value_error(v, err, "number out of range: \"%s\"",
                               csv_value_show(v->s, got, sizeof got));
    }
    if (x < r->lo || (r->lo_open && x <= r->lo))
        return number_error(v, r, 0, err);
    if (x > r->hi)
        return number_error(v, r, 1, err);
    *out = x + 0.0;   /* "-0" reads as 0 */
    return NC_OK;
}

/* "expected an integer >= 1, got "x"" and its variants; formatted only on error. */
static nc_status integer_error(const csv_value *v, const csv_value_int *r, int above,
                               nc_error *err)
{
    char got[SHOW], expect[96];
    if (r->show_range || above)
        snprintf(expect, sizeof expect, "an integer from %llu to %llu",
                 (unsigned long long)r->lo, (unsigned long long)r->hi);
    else
        snprintf(expect, sizeof expect, "an integer >= %llu", (unsigned long long)r->lo);
    if (v->s == NULL)
        return csv_value_error(v, err, "missing value: expected %s", expect);
    return csv_value_error(v, err, "expected %s, got \"%s\"", expect,
                           csv_value_show(v->s, got, sizeof got));
}

nc_status csv_value_integer(const csv_value *v, const csv_value_int *r, int required,
                            uint64_t *out, nc_error *err)
{
    if (v->s == NULL)
        return required ? integer_error(v, r, 0, err) : NC_OK;
    const char *p = v->s + (v->s[0] == '+');
    if (*p == '\0')
        return integer_error(v, r, 0, err);
    uint64_t x = 0;
    int overflow = 0;
    for (; *p != '\0'; p++) {
        if (!is_digit(*p))
            return integer_error(v, r, 0, err);
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            overflow = 1;
        else
            x = x * 10 + d;
    }
    if (!overflow && x < r->lo)
        return integer_error(v, r, 0, err);
    if (overflow || x > r->hi)
        return integer_error(v, r, 1, err);
    *out = x;
    return NC_OK;
}

nc_status csv_value_u32(const csv_value *v, const csv_value_int *r, int required,
                        uint32_t *out, nc_error *err)
{
    uint64_t x = *out;
    nc_status st = csv_value_integer(v, r, required, &x, err);
    if (st == NC_OK)
        *out = (uint32_t)x;   /* every caller's hi fits 32 bits */
    return st;
}

int csv_value_is_name(const char *s)
{
    size_t n = 0;
    if (s == NULL || s[0] == '.')
        return 0;
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.'
                 || c == '_' || c == '-';
        if (!ok || n >= NC_NAME_MAX)
            return 0;
    }
    return n > 0;
}

nc_status csv_value_name(const csv_value *v, int required, char out[NC_NAME_MAX + 1],
                         nc_error *err)
{
    char got[SHOW];
    if (v->s == NULL) {
        if (!required)
            return NC_OK;
        return csv_value_error(v, err, "missing value: expected a name");
    }
    if (strlen(v->s) > NC_NAME_MAX)
        return csv_value_error(v, err, "name is longer than %d characters: \"%s\"",
                               NC_NAME_MAX, csv_value_show(v->s, got, sizeof got));
    if (!csv_value_is_name(v->s))
        return csv_value_error(v, err,
                               "expected a name (letters, digits, '.', '_', '-', not starting "
                               "with '.'), got \"%s\"", csv_value_show(v->s, got, sizeof got));
    memcpy(out, v->s, strlen(v->s) + 1);
    return NC_OK;
}

/* n digits at p into *x; 0 when not digits. */
static int digits(const char *p, size_t n, unsigned *x)
{
    *x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return 0;
        *x = *x * 10 + (unsigned)(p[i] - '0');
    }
    return 1;
}

/* H:MM, HH:MM, H:MM:SS or HH:MM:SS, within 00:00 .. 24:00:00. */
static int parse_time(const char *s, double *out_s)
{
    unsigned h, m, sec = 0;
    size_t hl = s[0] != '\0' && s[1] == ':' ? 1 : 2;
    size_t n = strlen(s);
    if (n != hl + 3 && n != hl + 6)
        return 0;
    if (!digits(s, hl, &h) || s[hl] != ':' || !digits(s + hl + 1, 2, &m))
        return 0;
    if (n == hl + 6 && (s[hl + 3] != ':' || !digits(s + hl + 4, 2, &sec)))
        return 0;
    if (h > 24 || m > 59 || sec > 59 || (h == 24 && (m > 0 || sec > 0)))
        return 0;
    *out_s = (double)(h * 3600 + m * 60 + sec);
    return 1;
}

nc_status csv_value_time(const csv_value *v, double *out_s, nc_error *err)
{
    char got[SHOW];
    if (v->s == NULL)
        return csv_value_error(v, err, "missing value: expected a time HH:MM or HH:MM:SS");
    if (!parse_time(v->s, out_s))
        return csv_value_error(v, err,
                               "expected a time HH:MM or HH:MM:SS from 00:00 to 24:00, got \"%s\"",
                               csv_value_show(v->s, got, sizeof got));
    return NC_OK;
}

nc_status csv_value_keyword(const csv_value *v, const char *const *names, size_t n,
                            int required, int *out, nc_error *err)
{
    char list[256] = "", got[SHOW], hint[96] = "";
    if (v->s == NULL && !required)
        return NC_OK;
    for (size_t i = 0; v->s != NULL && i < n; i++) {
        if (strcmp(v->s, names[i]) == 0) {
            *out = (int)i;
            return NC_OK;
        }
    }
    for (size_t i = 0, len = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
    if (v->s == NULL)
        return csv_value_error(v, err, "missing value: expected one of %s", list);
    const char *near = csv_value_nearest(v->s, names, n);
    if (near != NULL)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    return csv_value_error(v, err, "expected one of %s%s, got \"%s\"%s", list,
                           required ? "" : " or blank", csv_value_show(v->s, got, sizeof got),
                           hint);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Optimal-string-alignment distance (Levenshtein plus adjacent swaps), ASCII case ignored.
 * Both strings are at most NC_NAME_MAX bytes. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[NC_NAME_MAX + 1][NC_NAME_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = lower(a[i - 1]) != lower(b[j - 1]);
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *csv_value_nearest(const char *s, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    if (strlen(s) > NC_NAME_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (strlen(cands[i]) > NC_NAME_MAX)
            continue;
        size_t d = distance(s, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    /* a typo: at most 2 edits, or a third of the name for long names */
    if (best == NULL || (best_d > 2 && best_d * 3 > strlen(best)) || best_d >= strlen(s))
        return NULL;
    return best;
}
