#!/bin/sh
# tools.sh - the external commands the tests call, checked by their version.
#
#   sh tests/tools.sh            check every tool `make test` uses; one line each
#   sh tests/tools.sh parallel   print the path of GNU parallel (exit 1 if none)
#   sh tests/tools.sh python     print a python3 that has yaml and kubernetes
#                                (Debian's first)
#
# scripts/deps.sh test installs the Debian packages; this says when the command
# found first on the PATH is another tool of the same name.  The one known
# clash: moreutils ships its own `parallel`, which does not take GNU's options.
# Debian's `parallel` package diverts moreutils' file to
# /usr/bin/parallel.moreutils (whether moreutils comes before or after it), so
# /usr/bin/parallel is GNU's; a `parallel` earlier on the PATH (e.g.
# /usr/local/bin) may still be another one, and then GNU's is used by its path.
set -u

# first_line CMD ARGS...: the first line CMD prints for its version (no stdin,
# at most 10 s, in case an unknown tool of that name waits for input)
first_line() {
    timeout 10 "$@" </dev/null 2>&1 | head -n 1
}

# gnu_parallel: the path of GNU parallel, the PATH's first if it is GNU's
gnu_parallel() {
    onpath=$(command -v parallel 2>/dev/null || true)
    for p in "$onpath" /usr/bin/parallel /usr/local/bin/parallel; do
        [ -n "$p" ] && [ -x "$p" ] || continue
        case $(first_line "$p" --version) in
        "GNU parallel"*)
            if [ "$p" != "$onpath" ]; then
                if [ -n "$onpath" ]; then
                    echo "note: $onpath is not GNU parallel (\"$(first_line "$onpath" --version)\"); using $p" >&2
                else
                    echo "note: no parallel on the PATH; using $p" >&2
                fi
            fi
            echo "$p"
            return 0
            ;;
        esac
    done
    if [ -n "$onpath" ]; then
        echo "GNU parallel not found: $onpath says \"$(first_line "$onpath" --version)\" (moreutils' parallel?); install Debian's parallel: apt-get install parallel" >&2
    else
        echo "GNU parallel not found: install Debian's parallel: apt-get install parallel" >&2
    fi
    return 1
}

# yaml_python: Debian's python3 when it has yaml and kubernetes (python3-yaml,
# python3-kubernetes), else the
# PATH's python3 if it has (a pyenv or venv python3 may come first on the PATH
# and lack the Debian module)
yaml_python() {
    for p in /usr/bin/python3 "$(command -v python3 2>/dev/null || true)"; do
        [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import yaml, kubernetes.client' 2>/dev/null &&
            { echo "$p"; return 0; }
    done
    echo "no python3 with yaml and kubernetes: apt-get install python3-yaml python3-kubernetes" >&2
    return 1
}

case ${1:-} in
parallel) gnu_parallel; exit ;;
python) yaml_python; exit ;;
esac

bad=0
# need TOOL PATTERN PACKAGE [VERSION-ARGS...]: TOOL's version line matches PATTERN
need() {
    tool=$1 pat=$2 pkg=$3
    shift 3
    [ $# -gt 0 ] || set -- --version
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "tools: $tool: not found (Debian package $pkg)" >&2
        bad=$((bad + 1))
        return
    fi
    v=$(first_line "$tool" "$@")
    case $v in
    $pat) printf '%s\n' "tools: $tool: $v" ;;
    *)
        echo "tools: $(command -v "$tool") is not the expected one: \"$v\", want \"$pat\" (Debian package $pkg)" >&2
        bad=$((bad + 1))
        ;;
    esac
}

command -v timeout >/dev/null 2>&1 || { echo "tools: timeout: not found (Debian package coreutils)" >&2; exit 1; }
need timeout "timeout (GNU coreutils)*" coreutils
need mktemp "mktemp (GNU coreutils)*" coreutils
need sort "sort (GNU coreutils)*" coreutils
need head "head (GNU coreutils)*" coreutils
need dd "dd (*coreutils)*" coreutils
need xargs "xargs (GNU findutils)*" findutils
need find "find (GNU findutils)*" findutils
need cmp "cmp (GNU diffutils)*" diffutils
need diff "diff (GNU diffutils)*" diffutils
need sed "sed (GNU sed)*" sed
need grep "grep (GNU grep)*" grep
# mandoc has no version option: found, and renders a page
if command -v mandoc >/dev/null 2>&1 && printf '.Dd $Mdocdate$\n.Dt X 1\n.Os\n.Sh NAME\n.Nm x\n.Nd y\n' |
    mandoc -T ascii >/dev/null 2>&1; then
    echo "tools: mandoc: $(command -v mandoc)"
else
    echo "tools: mandoc: not found (Debian package mandoc)" >&2
    bad=$((bad + 1))
fi
# awk: mawk, gawk or any POSIX awk; the tests use POSIX awk only
if command -v awk >/dev/null 2>&1 && [ "$(awk 'BEGIN { n = split("a b c", x, / /); print n }')" = 3 ]; then
    echo "tools: awk: $(first_line awk -W version) (POSIX awk)"
else
    echo "tools: awk: missing or not a POSIX awk (Debian package mawk)" >&2
    bad=$((bad + 1))
fi
if p=$(yaml_python); then
    echo "tools: python3: $(first_line "$p" --version), yaml $("$p" -c 'import yaml; print(yaml.__version__)'), kubernetes $("$p" -c 'import kubernetes; print(kubernetes.__version__)') ($p)"
else
    bad=$((bad + 1))
fi
if p=$(gnu_parallel); then
    echo "tools: parallel: $(first_line "$p" --version) ($p)"
else
    bad=$((bad + 1))
fi
[ "$bad" -eq 0 ] || { echo "tools: $bad missing or unexpected; run: sh scripts/deps.sh test" >&2; exit 1; }
