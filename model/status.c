/* status.c - status strings and the error record. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *nc_status_str(nc_status st)
{
    switch (st) {
    case NC_OK: return "success";
    case NC_ENOMEM: return "out of memory";
    case NC_EINPUT: return "invalid input";
    case NC_EIO: return "input/output error";
    case NC_ECREATE: return "cannot create output";
    case NC_EINTR: return "interrupted";
    case NC_EUSAGE: return "bad usage";
    }
    return "unknown status";
}

nc_status nc_error_set(nc_error *err, nc_status code, const char *file, long line,
                       const char *column, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    snprintf(err->column, sizeof err->column, "%s", column ? column : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void nc_error_format(const nc_error *err, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    if (err->file[0] != '\0') {
        if (err->line > 0)
            n += (size_t)snprintf(buf + n, len - n, "%s:%ld: ", err->file, err->line);
        else
            n += (size_t)snprintf(buf + n, len - n, "%s: ", err->file);
    }
    if (n < len && err->column[0] != '\0')
        n += (size_t)snprintf(buf + n, len - n, "column '%s': ", err->column);
    if (n < len)
        snprintf(buf + n, len - n, "%s", err->msg);
}
