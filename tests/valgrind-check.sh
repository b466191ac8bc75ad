#!/bin/sh
# valgrind-check.sh DIR - fail if any valgrind log in DIR reports an error or a leak
# (logs are written with -q, so an empty log is a clean run).
dir=${1:?usage: valgrind-check.sh DIR}
n=$(ls "$dir"/*.log 2>/dev/null | wc -l)
dirty=0
for f in "$dir"/*.log; do
    [ -s "$f" ] || continue
    dirty=$((dirty + 1))
    echo "valgrind: $f:" >&2
    head -60 "$f" >&2
done
if [ "$n" -eq 0 ]; then
    echo "valgrind: no log in $dir: nothing ran under valgrind" >&2
    exit 1
fi
if [ $dirty -gt 0 ]; then
    echo "valgrind: $dirty of $n natcap runs reported errors or leaks" >&2
    exit 1
fi
echo "valgrind: $n natcap runs, 0 errors, 0 leaks"
