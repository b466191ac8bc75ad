#!/bin/sh
# layers.sh - the include order of the layers (README "Code layout"):
#
#   model/  includes only model/ (and no cairo, pango, libcsv or jansson)
#   io/     includes only model/ and io/ (and no cairo or pango)
#   plot/   includes only model/, io/ and plot/
#   the top level (main.c, cli.c, cmd_*.c, ...) wires them and may include all.
#
# plot writes through io's output-directory transaction (io/outdir.h), so
# every file io/outdir.h reaches, directly or not, must be in model/ or io/
# and include no cairo or pango.  A quoted include is resolved against the
# directory of the file that has it, as the compiler does.
#
#   sh tests/layers.sh          check this tree, then check the checker: each
#                               kind of forbidden include planted in a copy of
#                               the tree must be reported
#   sh tests/layers.sh -t DIR   check the tree at DIR only (exit 1 if it breaks a rule)
#
# Prints one line per check ("ok" or "FAIL") and "N passed, M failed".
# POSIX sh and awk; run from the repository root.

# check_tree DIR: one line "FILE:LINE: ..." per broken rule; exit 1 if any.
check_tree() {
    (
        cd "$1" || exit 2
        set -- model/*.[ch] io/*.[ch] plot/*.[ch]
        awk '
        function layer(p) {
            if (p ~ /^\.\.(\/|$)/) return "outside"
            if (p !~ /\//) return "top"
            sub(/\/.*/, "", p)
            return p
        }
        # dir + "/" + inc with "." and ".." folded; ".." above the root stays
        function resolve(dir, inc,    a, n, i, k, st, out) {
            n = split(dir "/" inc, a, "/")
            k = 0
            for (i = 1; i <= n; i++) {
                if (a[i] == "" || a[i] == ".") continue
                if (a[i] == ".." && k > 0 && st[k] != "..") { k--; continue }
                st[++k] = a[i]
            }
            out = st[1]
            for (i = 2; i <= k; i++) out = out "/" st[i]
            return out
        }
        function bad(msg) { print msg; nbad++ }
        FNR == 1 {
            dir = FILENAME
            sub(/\/[^\/]*$/, "", dir)
            me = layer(FILENAME)
            known[FILENAME] = 1
        }
        /^[ \t]*#[ \t]*include[ \t]*["<]/ {
            line = $0
            sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
            if (line ~ /^"/) {
                inc = substr(line, 2)
                sub(/".*/, "", inc)
                tgt = resolve(dir, inc)
                edges[FILENAME] = edges[FILENAME] " " tgt
                t = layer(tgt)
                ok = (t == me) || (me == "io" && t == "model") ||
                     (me == "plot" && (t == "model" || t == "io"))
                if (!ok)
                    bad(FILENAME ":" FNR ": includes \"" inc "\" (" t "): " me "/ may include only " \
                        (me == "model" ? "model/" : me == "io" ? "model/ and io/" : "model/, io/ and plot/"))
            } else {
                inc = substr(line, 2)
                sub(/>.*/, "", inc)
                sys[FILENAME] = sys[FILENAME] " " inc
                if ((me == "model" || me == "io") && inc ~ /^(cairo|pango)/)
                    bad(FILENAME ":" FNR ": includes <" inc ">: no cairo or pango in " me "/")
                if (me == "model" && (inc == "csv.h" || inc == "jansson.h"))
                    bad(FILENAME ":" FNR ": includes <" inc ">: model/ reads and writes no files")
            }
        }
        END {
            # everything io/outdir.h reaches
            root = "io/outdir.h"
            if (!(root in known)) bad(root ": missing")
            q[1] = root; seen[root] = 1; nq = 1
            for (h = 1; h <= nq; h++) {
                f = q[h]
                t = layer(f)
                if (t != "model" && t != "io")
                    bad(root ": reaches " f " (" t "), above io/")
                n = split(sys[f], s, " ")
                for (i = 1; i <= n; i++)
                    if (s[i] ~ /^(cairo|pango)/) bad(root ": reaches <" s[i] "> through " f)
                n = split(edges[f], e, " ")
                for (i = 1; i <= n; i++)
                    if (!(e[i] in seen)) { seen[e[i]] = 1; q[++nq] = e[i] }
            }
            exit nbad > 0
        }' "$@"
    )
}

if [ "${1:-}" = "-t" ]; then
    check_tree "$2"
    exit $?
fi

[ -d model ] && [ -d io ] && [ -d plot ] || { echo "layers: run from the repository root" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/natcap-layers.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() { failed=$((failed + 1)); echo "FAIL - $1"; shift; for l in "$@"; do echo "       $l"; done; }

if check_tree . >"$T/tree.out" 2>&1; then
    ok "model/, io/ and plot/ include nothing above them; io/outdir.h reaches only model/ and io/"
else
    nok "the layer order is broken" "$(cat "$T/tree.out")"
fi

# plant FILE TEXT WANT: a copy of the tree with TEXT appended to FILE must
# fail the check with a line starting "WANT".
plant() {
    rm -rf "$T/tree" && mkdir "$T/tree" && cp -R model io plot "$T/tree/" || exit 2
    [ -f "$T/tree/$1" ] || { nok "planted in $1: no such file"; return; }
    printf '%s\n' "$2" >>"$T/tree/$1"
    n=$(wc -l <"$T/tree/$1" | tr -d ' ')
    if check_tree "$T/tree" >"$T/plant.out" 2>&1; then
        nok "$1 with $2: not reported"
    elif grep -q "^$3" "$T/plant.out"; then
        ok "$1 with $2: reported"
    else
        nok "$1 with $2: reported, but not as '$3'" "$(cat "$T/plant.out")"
    fi
    case $3 in "$1:"*) [ "$3" = "$1:$n:" ] || nok "plant: line $n expected in '$3'" ;; esac
}

# each line appended at the end of the file: its number is the file's length + 1
at() { echo "$1:$(($(wc -l <"$1" | tr -d ' ') + 1)):"; }
plant model/status.h '#include "../io/outdir.h"' "$(at model/status.h)"
plant model/clock.h '#include "../plot/chart.h"' "$(at model/clock.h)"
plant model/config.h '#include "../cli.h"' "$(at model/config.h)"
plant model/sim.c '#include "../tests/fixture.h"' "$(at model/sim.c)"
plant model/topology.c '#include <cairo.h>' "$(at model/topology.c)"
plant model/summary.c '#include <csv.h>' "$(at model/summary.c)"
plant io/csv_out.c '#include "../plot/plot.h"' "$(at io/csv_out.c)"
plant io/warn.h '#include "../cmd.h"' "$(at io/warn.h)"
plant io/json_out.c '#  include <pango/pangocairo.h>' "$(at io/json_out.c)"
plant plot/chart.c '#include "../cmd.h"' "$(at plot/chart.c)"
plant plot/report.c '#include "../io/../main.c"' "$(at plot/report.c)"
# what io/outdir.h reaches: through model/status.h, two levels down
plant model/status.h '#include "../plot/canvas.h"' "io/outdir.h: reaches plot/canvas.h"
plant model/status.h '#include <cairo-pdf.h>' "io/outdir.h: reaches <cairo-pdf.h> through model/status.h"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
