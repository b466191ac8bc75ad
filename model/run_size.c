/* run_size.c - see run_size.h. */
#include "run_size.h"

#include "progress.h"

#include <math.h>

nc_status run_size_of(const nc_scenario *sc, run_size *out)
{
    double per_rep = progress_expected_requests(sc);
    if (per_rep < 0)
        return NC_ENOMEM;
    out->requests = per_rep * sc->replications;
    out->intervals = ceil(sc->duration_h * 3600 / sc->sample_s);
    out->result_bytes = (double)sc->ngateways * out->intervals * (4.0 * sc->replications + 80)
                        + (double)sc->nservices * out->intervals * 8;
    return NC_OK;
}

double run_size_seconds(double requests, double replications, unsigned jobs)
{
    double cores = replications < (double)jobs ? replications : (double)jobs;
    return requests * RUN_SIZE_NS_PER_REQUEST * 1e-9 / (cores >= 1 ? cores : 1);
}
