/*
 * progress.c - see progress.h.
 */
#include "progress.h"

#include <stdio.h>

void progress_init(progress *p, const nc_scenario *sc, size_t nsc, int enabled)
{
    p->sc = sc;
    p->nsc = nsc;
    p->enabled = enabled;
    p->drawn = 0;
}

void progress_draw(void *ud, const batch_status *st)
{
    progress *p = ud;
    if (!p->enabled)
        return;
    const nc_scenario *sc = &p->sc[st->scenario];
    char clock[32];
    nc_format_clock(st->clock_us > 0 ? st->clock_us : 0, clock, sizeof clock);
    double frac = st->units_total ? (double)st->units_done / (double)st->units_total : 0;
    char eta[32] = "--:--";
    if (st->units_done > 0 && frac < 1) {
        double left = st->elapsed_s * (1 - frac) / frac;
        snprintf(eta, sizeof eta, "%d:%02d", (int)left / 60, (int)left % 60);
    }
    int width = 24, fill = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r\033[K[%s] %3.0f%% scenario %zu/%zu %.24s rep %u/%u clock %s elapsed %.0fs ETA %s",
            bar, 100 * frac, st->scenario + 1, p->nsc, sc->name,
            st->reps_done + 1 > sc->replications ? sc->replications : st->reps_done + 1,
            sc->replications, clock, st->elapsed_s, eta);
    fflush(stderr);
    p->drawn = 1;
}

void progress_clear(progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
