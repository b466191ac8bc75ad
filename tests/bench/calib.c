/*
 * calib.c - the machine's yardstick for make bench: what drawing the random
 * numbers of one request costs here (an exponential inter-arrival time and
 * a lognormal latency, GSL's gsl_ran_exponential and gsl_ran_lognormal on
 * taus2).  Issue 6 quotes 25-30 ns for it on the machine its goals were set
 * on; ns/request figures compare across machines as multiples of this.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    enum { N = 10000000 };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (r == NULL)
        return 1;
    double best = 1e9, sink = 0;
    for (int k = 0; k < 3; k++) {
        double t0 = now();
        for (int i = 0; i < N; i++)
            sink += gsl_ran_exponential(r, 1.0) + gsl_ran_lognormal(r, -3.0, 0.9);
        double ns = (now() - t0) * 1e9 / N;
        best = ns < best ? ns : best;
    }
    printf("%.1f\n", best + 0 * sink);
    gsl_rng_free(r);
    return 0;
}
