/*
 * outdir.h - the output directory as a transaction.
 *
 * Every output file is written to a hidden temporary name inside the output
 * directory (or a scenario subdirectory of it) and only renamed into place by
 * outdir_commit(), after every file of the run was written completely.  An
 * error, a signal or outdir_abort() unlinks the temporaries, so the previous
 * results stay exactly as they were.  Files are opened relative to a
 * directory descriptor with O_NOFOLLOW, so a symbolic link planted in the
 * output directory is never followed.
 *
 * Not thread-safe: one writer thread at a time.
 */
#ifndef NATCAP_IO_OUTDIR_H
#define NATCAP_IO_OUTDIR_H

#include "../model/status.h"

#include <stdio.h>

typedef struct outdir outdir;

/* Create `path` if missing (like mkdir -p) and open it.  NC_ECREATE when it
 * cannot be created, NC_EIO when it exists but is not a usable directory. */
nc_status outdir_open(const char *path, outdir **out, nc_error *err);

/* Begin the file `relpath` ("summary.csv" or "SCENARIO/occupancy.png"; one
 * level of subdirectory at most, created on demand).  Returns a FILE* open
 * for binary writing on the temporary file; do not fclose it yourself. */
nc_status outdir_begin(outdir *od, const char *relpath, FILE **fp, nc_error *err);

/* Finish the file begun last with outdir_begin: flush, fsync, close and check.
 * On failure the temporary file is removed and NC_EIO returned. */
nc_status outdir_end(outdir *od, FILE *fp, nc_error *err);

/* Read back the whole file `relpath` finished in this transaction (not yet
 * committed), e.g. to derive summary.json from summary.csv as written.
 * *buf is malloc'd (NUL-terminated, *len bytes without the NUL). */
nc_status outdir_read(outdir *od, const char *relpath, char **buf, size_t *len, nc_error *err);

/* Rename every finished file into place.  */
nc_status outdir_commit(outdir *od, nc_error *err);

/* Remove every temporary file (safe to call from cleanup paths). */
void outdir_abort(outdir *od);


/* Close and free (calls outdir_abort for anything not committed). NULL ok. */
void outdir_close(outdir *od);

/* Nonzero once outdir_abort_signal_safe ran: long writers (the multi-page
 * report) check it between pages to stop promptly. */
int outdir_interrupted(void);

/* Async-signal-safe, for the SIGINT/SIGTERM handler: mark the process
 * interrupted.  From then on outdir_begin, outdir_end and outdir_commit fail
 * with NC_EINTR (outdir_end removing its file), so the writer stops at the
 * next file and its error path (outdir_abort/outdir_close) removes every
 * temporary; a commit already renaming is left to complete.  Never reset. */
void outdir_abort_signal_safe(void);

#endif
