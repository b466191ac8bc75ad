/*
 * progress.c - see progress.h.
 */
#include "progress.h"

#include "model/progress.h"

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
    double frac = progress_fraction(st->work_done, st->work_total);
    double left = progress_eta(st->work_done, st->work_total, st->elapsed_s);
    char eta[32] = "--:--";
    if (left >= 0 && left < 360000) {
        int s = (int)(left + 0.5);
        if (s >= 3600)
            snprintf(eta, sizeof eta, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        else
            snprintf(eta, sizeof eta, "%d:%02d", s / 60, s % 60);
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
