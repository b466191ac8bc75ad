/*
 * check_main.c - the one Check runner: every suite of tests/check_*.c.
 * Suites are declared weak so that a module's tests can be added in their
 * own commit; the runner fails if it ran no test at all.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define SUITES(X) X(csv_in) X(sim) X(sim_parts) X(exact) X(theory) X(chart) X(report) X(plan) X(summary) X(outdir) \
    X(shard) X(estimate) X(explain) X(layouts) X(progress) X(observed) X(alert)

#define DECLARE(name) Suite *name##_suite(void) __attribute__((weak));
SUITES(DECLARE)

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define ADD(name) if (name##_suite) srunner_add_suite(sr, name##_suite());
    SUITES(ADD)
    srunner_run_all(sr, CK_ENV);
    int ran = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (ran == 0) {
        fprintf(stderr, "check_all: no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
