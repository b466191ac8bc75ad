# conserve.sh - sourced by the end-to-end scripts: conservation checks
# (tests/conserve.py) on the result files of every run that wrote some.
#
#   conserved ARGS...   after a successful `natcap ARGS...` (exit 0, or 3 with
#                       --fail-on-exhaustion): when ARGS is a run or merge
#                       whose output directory (-o/--output, default outputs)
#                       holds a summary.csv, check it; prints the checker's
#                       complaints and returns 1 when something does not add up
#   conserved_all DIR   check every output directory below DIR
CONSERVE=${CONSERVE:-$(dirname "$0")/conserve.py}

conserved() {
    _cmd= _out=outputs _prev=
    for _a in "$@"; do
        case $_prev in -o | --output) _out=$_a ;; esac
        case $_a in
        --output=*) _out=${_a#--output=} ;;
        -o?*) _out=${_a#-o} ;;
        run | merge) [ -z "$_cmd" ] && _cmd=$_a ;;
        esac
        _prev=$_a
    done
    [ -n "$_cmd" ] && [ -f "$_out/summary.csv" ] || return 0
    python3 "$CONSERVE" "$_out"
}

conserved_all() {
    _st=0
    for _s in $(find "$1" -name summary.csv -type f 2>/dev/null | sort); do
        python3 "$CONSERVE" "$(dirname "$_s")" || _st=1
    done
    return $_st
}
