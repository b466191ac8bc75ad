#!/bin/sh
# valgrind-natcap.sh - natcap under valgrind memcheck, for `make valgrind`: the
# end-to-end scripts call it as $NATCAP.  NATCAP_REAL is the binary; each process
# logs to $VALGRIND_LOGS/natcap.PID.log, which tests/valgrind-check.sh requires to
# be empty (-q: only errors and leaks are logged).  exec keeps the PID, so signals
# sent by the tests reach natcap.  Leaks of every kind count except "still
# reachable"; tests/valgrind.supp holds the few documented library caches.
here=$(cd "$(dirname "$0")" && pwd)
: "${NATCAP_REAL:?set NATCAP_REAL to the natcap binary}"
: "${VALGRIND_LOGS:?set VALGRIND_LOGS to a directory for the logs}"
exec valgrind -q --tool=memcheck --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible \
    --suppressions="$here/valgrind.supp" --gen-suppressions=all \
    --log-file="$VALGRIND_LOGS/natcap.%p.log" "$NATCAP_REAL" "$@"
