/* progress.c - see progress.h. */
#include "progress.h"

#include "arrivals.h"

double progress_fraction(double done, double total)
{
    if (!(total > 0) || !(done > 0))
        return 0;
    return done >= total ? 1 : done / total;
}

double progress_eta(double done, double total, double elapsed_s)
{
    double f = progress_fraction(done, total);
    if (f >= 1)
        return 0;
    if (f < PROGRESS_MIN_FRACTION || !(elapsed_s >= PROGRESS_MIN_SECONDS))
        return -1;
    return elapsed_s * (1 - f) / f;
}

double progress_expected_requests(const nc_scenario *sc)
{
    double sum = 0;
    for (size_t k = 0; k < sc->nservices; k++) {
        const nc_service *s = &sc->services[k];
        arrivals a;
        if (arrivals_init(&a, &sc->profiles[s->profile], (double)s->instances * s->rps) != NC_OK)
            return -1;
        sum += arrivals_integral(&a, -sc->warmup_h * 3600, sc->duration_h * 3600);
        arrivals_free(&a);
    }
    return sum;
}
