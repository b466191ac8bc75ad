/*
 * kernel_probe.h - the tests' reference of Linux's search for a free NAT
 * port, written from nf_nat_l4proto_unique_tuple() in the kernel's
 * net/netfilter/nf_nat_core.c (random start, as with --random-fully), port
 * by port, apart from model/port_map.h: taken[i] != 0 when port i of the
 * `range` ports is mapped.  The port found, or -1 when the search gives up.
 */
#ifndef NATCAP_TESTS_KERNEL_PROBE_H
#define NATCAP_TESTS_KERNEL_PROBE_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

static inline long kernel_port_search(const unsigned char *taken, unsigned range, gsl_rng *rng)
{
    unsigned attempts = range;
    if (attempts > 128)   /* NF_NAT_MAX_ATTEMPTS */
        attempts = 128;
    uint16_t off = (uint16_t)gsl_rng_uniform_int(rng, 65536);   /* get_random_u16() */
another_round:
    for (unsigned i = 0; i < attempts; i++, off++)
        if (!taken[off % range])
            return off % range;
    if (attempts >= range || attempts < 16)
        return -1;
    attempts /= 2;
    off = (uint16_t)gsl_rng_uniform_int(rng, 65536);
    goto another_round;
}

#endif
