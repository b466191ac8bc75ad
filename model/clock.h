/*
 * clock.h - simulated time: integer microseconds.
 *
 * Day 0 starts at 0; the warm-up runs at negative times.  int64 covers
 * ±292,000 years.  Conversions to and from seconds round to the nearest
 * microsecond (half away from zero).
 */
#ifndef NATCAP_MODEL_CLOCK_H
#define NATCAP_MODEL_CLOCK_H

#include <stdint.h>

typedef int64_t sim_time;
#define SIM_US_PER_S INT64_C(1000000)
#define SIM_TIME_NONE INT64_MAX

static inline sim_time sim_from_s(double s) { return (sim_time)(s * 1e6 + (s >= 0 ? 0.5 : -0.5)); }
static inline double sim_to_s(sim_time t) { return (double)t / 1e6; }

#endif
