/*
 * outdir.c - see outdir.h.  Temporary names are ".NAME.natcap-tmp.XXXXXX"
 * in the final file's directory, so rename() never crosses a file system.
 * At most a few hundred files per run: the list is a plain array.
 */
#define _GNU_SOURCE
#include "outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The stream of a file being written: stdio over the descriptor through
 * fopencookie, so that the errno of the first failed write is kept for the
 * message (ferror() only says that something failed, and errno is long
 * overwritten by the time outdir_end runs).  Freed by fclose. */
typedef struct wstream {
    int fd;
    int werr;           /* errno of the first failed write, 0 if none */
} wstream;

typedef struct entry {
    int dirfd;          /* borrowed from outdir.subfd / outdir.fd */
    char tmp[300];
    char final[300];
    char rel[300];      /* relpath as given, for messages */
    wstream *ws;        /* valid from outdir_begin until outdir_end's fclose */
    int done;           /* 1 once written completely */
} entry;

typedef struct subdir {
    char name[128];
    int fd;
    int created;        /* 1: made by this run and nothing committed into it yet */
} subdir;

struct outdir {
    char *path;
    int fd;
    entry *files;
    size_t nfiles, cap;
    subdir *subs;
    size_t nsubs;
};

/* Set by outdir_abort_signal_safe (a SIGINT/SIGTERM handler): from then on
 * no file is begun, finished or committed, and the writer's error path
 * removes the temporaries.  The handler itself touches nothing else: it may
 * run while the main thread grows od->files or renames in outdir_commit. */
static volatile sig_atomic_t interrupted;

int outdir_interrupted(void) { return interrupted != 0; }

static nc_status interrupted_error(nc_error *err)
{
    return nc_error_set(err, NC_EINTR, NULL, 0, NULL, "interrupted");
}

/* A failure to create a file because the file system is full or failing is a
 * write error (74); anything else means it cannot be created there (73). */
static nc_status create_status(int e)
{
    return e == ENOSPC || e == EDQUOT || e == EIO || e == EFBIG ? NC_EIO : NC_ECREATE;
}

static ssize_t ws_write(void *cookie, const char *buf, size_t n)
{
    wstream *w = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(w->fd, buf + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (w->werr == 0)
                w->werr = k < 0 ? errno : EIO;
            break;
        }
        done += (size_t)k;
    }
    return (ssize_t)done;   /* fopencookie: fewer than n bytes is an error */
}

static int ws_close(void *cookie)
{
    wstream *w = cookie;
    int rc = close(w->fd);
    free(w);
    return rc;
}

static nc_status mkdir_p(const char *path, nc_error *err)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return nc_error_set(err, NC_ECREATE, path, 0, NULL, "output path is empty or too long");
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return nc_error_set(err, NC_ECREATE, path, 0, NULL,
                                "cannot create output directory: %s", strerror(errno));
        buf[i] = c;
    }
    return NC_OK;
}

nc_status outdir_open(const char *path, outdir **out, nc_error *err)
{
    nc_status st = mkdir_p(path, err);
    if (st != NC_OK)
        return st;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return nc_error_set(err, errno == ENOTDIR ? NC_ECREATE : NC_EIO, path, 0, NULL,
                            "cannot open output directory: %s", strerror(errno));
    if (faccessat(fd, ".", W_OK, AT_EACCESS) != 0) {
        int e = errno;
        close(fd);
        return nc_error_set(err, NC_ECREATE, path, 0, NULL,
                            "output directory is not writable: %s", strerror(e));
    }
    outdir *od = calloc(1, sizeof *od);
    if (od == NULL || (od->path = strdup(path)) == NULL) {
        free(od);
        close(fd);
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    od->fd = fd;
    *out = od;
    return NC_OK;
}

static nc_status sub_fd(outdir *od, const char *name, int *fd, nc_error *err)
{
    for (size_t i = 0; i < od->nsubs; i++) {
        if (strcmp(od->subs[i].name, name) == 0) {
            *fd = od->subs[i].fd;
            return NC_OK;
        }
    }
    int created = mkdirat(od->fd, name, 0777) == 0;
    if (!created && errno != EEXIST)
        return nc_error_set(err, create_status(errno), NULL, 0, NULL,
                            "cannot create %s/%s: %s", od->path, name, strerror(errno));
    int d = openat(od->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d < 0) {
        int e = errno;
        if (created)
            unlinkat(od->fd, name, AT_REMOVEDIR);
        return nc_error_set(err, NC_ECREATE, NULL, 0, NULL, "cannot open %s/%s: %s%s",
                            od->path, name, strerror(e),
                            e == ELOOP || e == ENOTDIR ? " (not a directory: a symbolic link or a "
                                                         "file is in the way)" : "");
    }
    subdir *s = realloc(od->subs, (od->nsubs + 1) * sizeof *s);
    if (s == NULL) {
        close(d);
        if (created)
            unlinkat(od->fd, name, AT_REMOVEDIR);
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    od->subs = s;
    snprintf(s[od->nsubs].name, sizeof s[od->nsubs].name, "%s", name);
    s[od->nsubs].fd = d;
    s[od->nsubs].created = created;
    od->nsubs++;
    *fd = d;
    return NC_OK;
}

nc_status outdir_begin(outdir *od, const char *relpath, FILE **fp, nc_error *err)
{
    if (interrupted)
        return interrupted_error(err);
    const char *slash = strchr(relpath, '/');
    int dirfd = od->fd;
    const char *base = relpath;
    if (slash != NULL) {
        char sub[128];
        size_t n = (size_t)(slash - relpath);
        if (n == 0 || n >= sizeof sub || strchr(slash + 1, '/') != NULL)
            return nc_error_set(err, NC_ECREATE, od->path, 0, NULL, "bad output name '%s'", relpath);
        memcpy(sub, relpath, n);
        sub[n] = '\0';
        nc_status st = sub_fd(od, sub, &dirfd, err);
        if (st != NC_OK)
            return st;
        base = slash + 1;
    }
    if (od->nfiles == od->cap) {
        size_t cap = od->cap ? od->cap * 2 : 32;
        entry *e = realloc(od->files, cap * sizeof *e);
        if (e == NULL)
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        od->files = e;
        od->cap = cap;
    }
    entry *e = &od->files[od->nfiles];
    memset(e, 0, sizeof *e);
    e->dirfd = dirfd;
    snprintf(e->final, sizeof e->final, "%s", base);
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(e->tmp, sizeof e->tmp, ".%s.natcap-tmp.%ld.%d", base, (long)getpid(), attempt);
        fd = openat(dirfd, e->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return nc_error_set(err, create_status(errno), NULL, 0, NULL,
                            "cannot create %s/%s: %s", od->path, relpath, strerror(errno));
    od->nfiles++;   /* from here on, abort removes it */
    snprintf(e->rel, sizeof e->rel, "%s", relpath);
    static const cookie_io_functions_t io = {NULL, ws_write, NULL, ws_close};
    wstream *ws = malloc(sizeof *ws);
    FILE *f = NULL;
    if (ws != NULL) {
        ws->fd = fd;
        ws->werr = 0;
        f = fopencookie(ws, "wb", io);
    }
    if (f == NULL) {
        free(ws);
        close(fd);
        unlinkat(dirfd, e->tmp, 0);
        od->nfiles--;
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    e->ws = ws;
    *fp = f;
    return NC_OK;
}

nc_status outdir_end(outdir *od, FILE *fp, nc_error *err)
{
    entry *e = &od->files[od->nfiles - 1];
    int bad = ferror(fp);
    if (fflush(fp) != 0)
        bad = 1;
    int saved = e->ws->werr;
    if (!bad && fsync(e->ws->fd) != 0 && errno != EINVAL && errno != EROFS) {
        bad = 1;
        saved = errno;
    }
    e->ws = NULL;   /* freed by fclose */
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (bad || interrupted) {
        unlinkat(e->dirfd, e->tmp, 0);
        od->nfiles--;
        if (!bad)
            return interrupted_error(err);
        return nc_error_set(err, NC_EIO, NULL, 0, NULL, "cannot write %s/%s: %s", od->path,
                            e->rel, saved ? strerror(saved) : "write error");
    }
    e->done = 1;
    return NC_OK;
}

nc_status outdir_read(outdir *od, const char *relpath, char **buf, size_t *len, nc_error *err)
{
    const entry *e = NULL;
    for (size_t i = od->nfiles; i > 0 && e == NULL; i--)
        if (od->files[i - 1].done == 1 && strcmp(od->files[i - 1].rel, relpath) == 0)
            e = &od->files[i - 1];
    if (e == NULL)
        return nc_error_set(err, NC_EIO, NULL, 0, NULL, "%s/%s: not written in this run", od->path,
                            relpath);
    int fd = openat(e->dirfd, e->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        int er = errno;
        if (fd >= 0)
            close(fd);
        return nc_error_set(err, NC_EIO, NULL, 0, NULL, "cannot read back %s/%s: %s", od->path,
                            relpath, strerror(er));
    }
    size_t n = (size_t)sb.st_size, got = 0;
    char *b = malloc(n + 1);
    while (b != NULL && got < n) {
        ssize_t k = read(fd, b + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (b == NULL || got != n) {
        free(b);
        return nc_error_set(err, b == NULL ? NC_ENOMEM : NC_EIO, NULL, 0, NULL,
                            "cannot read back %s/%s", od->path, relpath);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return NC_OK;
}

nc_status outdir_commit(outdir *od, nc_error *err)
{
    /* A signal from here on no longer stops the run: the renames complete and
     * the new results are all in place (renaming them back is not possible). */
    if (interrupted)
        return interrupted_error(err);
    for (size_t i = 0; i < od->nfiles; i++) {
        entry *e = &od->files[i];
        if (!e->done)
            continue;
        if (renameat(e->dirfd, e->tmp, e->dirfd, e->final) != 0)
            return nc_error_set(err, NC_EIO, NULL, 0, NULL, "cannot rename into %s/%s: %s",
                                od->path, e->rel, strerror(errno));
        e->done = 2;
    }
    fsync(od->fd);
    od->nfiles = 0;
    for (size_t i = 0; i < od->nsubs; i++)
        od->subs[i].created = 0;
    return NC_OK;
}

void outdir_abort(outdir *od)
{
    if (od == NULL)
        return;
    for (size_t i = 0; i < od->nfiles; i++)
        if (od->files[i].done != 2)
            unlinkat(od->files[i].dirfd, od->files[i].tmp, 0);
    od->nfiles = 0;
    /* Scenario directories this run made: removed again (rmdir fails, harmlessly,
     * if anything else was put there meanwhile). */
    for (size_t i = 0; i < od->nsubs; i++) {
        if (od->subs[i].created)
            unlinkat(od->fd, od->subs[i].name, AT_REMOVEDIR);
        od->subs[i].created = 0;
    }
}

void outdir_abort_signal_safe(void)
{
    interrupted = 1;
}

void outdir_close(outdir *od)
{
    if (od == NULL)
        return;
    outdir_abort(od);
    for (size_t i = 0; i < od->nsubs; i++)
        close(od->subs[i].fd);
    free(od->subs);
    free(od->files);
    close(od->fd);
    free(od->path);
    free(od);
}
