#!/bin/sh
# seed_corpus.sh - (re)build the fuzz seed corpus tests/fuzz/corpus/seed-* from the
# inputs of the tests: the valid input sets (tests/data/*, inputs, tests/e2e/*-base),
# the bad-input cases of tests/check_csv_in.c (extracted and compiled) and the
# catalogue tests/bad_inputs.tsv.  Each seed packs the five files as fuzz_load.c
# expects: gateways, destinations, services, profiles, scenarios, separated by
# 0x1E, an absent file written as the single byte 0x15.  Regression inputs
# (tests/fuzz/corpus/regress-*: what fuzzing found, once fixed) and hand-made
# extras (extra-*) are kept.  Run from the repository root.
set -eu
out=tests/fuzz/corpus
mkdir -p "$out"
rm -f "$out"/seed-*
tmp=$(mktemp -d /tmp/natcap-seeds.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# pack DIR NAME: the five files of DIR into $out/seed-NAME
pack() {
    first=1
    for f in gateways destinations services profiles scenarios; do
        [ $first = 1 ] || printf '\036'
        first=0
        if [ -f "$1/$f.csv" ]; then cat "$1/$f.csv"; else printf '\025'; fi
    done > "$out/seed-$2"
}

for d in tests/data/* inputs tests/e2e/*-base; do
    [ -d "$d" ] && pack "$d" "valid-$(echo "$d" | tr '/' '-')"
done

# The bad_cases table of check_csv_in.c, compiled into a program that writes each
# case (base set + replaced files) packed.
src=tests/check_csv_in.c
{
    echo '#include <stdio.h>'
    echo '#include <string.h>'
    echo '#include <stddef.h>'
    echo 'typedef int nc_status;'
    sed -n '/^#define NO_FILE/,/^static void write_file/p' "$src" | sed '$d'
    sed -n '/^typedef struct bad_case/,/^};/p' "$src"
    cat <<'EOF'
int main(int argc, char **argv)
{
    (void)argc;
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    for (size_t c = 0; c < n; c++) {
        char path[512];
        snprintf(path, sizeof path, "%s/seed-unit-%03zu", argv[1], c);
        FILE *fp = fopen(path, "wb");
        if (fp == NULL)
            return 1;
        for (size_t k = 0; k < 5; k++) {
            const file_spec *f = NULL;
            for (size_t i = 0; i < sizeof base_files / sizeof base_files[0]; i++)
                if (strcmp(base_files[i].name, all_files[k]) == 0)
                    f = &base_files[i];
            for (size_t i = 0; i < 3; i++)
                if (bad_cases[c].f[i].name && strcmp(bad_cases[c].f[i].name, all_files[k]) == 0)
                    f = &bad_cases[c].f[i];
            if (k > 0)
                fputc(0x1E, fp);
            if (f == NULL || f->content == NO_FILE)
                fputc(0x15, fp);
            else
                fwrite(f->content, 1, f->len ? f->len : strlen(f->content), fp);
        }
        if (fclose(fp) != 0)
            return 1;
    }
    printf("%zu unit cases\n", n);
    return 0;
}
EOF
} > "$tmp/unit_seeds.c"
${CC:-cc} -std=c11 -w -o "$tmp/unit_seeds" "$tmp/unit_seeds.c"
"$tmp/unit_seeds" "$out"

# The end-to-end catalogue (tests/bad_inputs.tsv) on tests/e2e/hostile-base.
if [ -f tests/bad_inputs.tsv ]; then
    i=0
    tab=$(printf '\t')
    grep -v '^#' tests/bad_inputs.tsv | tail -n +2 |
    while IFS="$tab" read -r class file content line col note; do
        i=$((i + 1))
        [ "$content" = "<big>" ] && continue
        rm -rf "$tmp/case" && cp -R tests/e2e/hostile-base "$tmp/case"
        if [ "$content" = "<empty>" ]; then
            : > "$tmp/case/$file"
        elif [ "$content" = "<absent>" ]; then
            rm -f "$tmp/case/$file"
        else
            printf '%b' "$content" > "$tmp/case/$file"
        fi
        pack "$tmp/case" "$(printf 'e2e-%03d-%s' "$i" "$class")"
    done
fi
echo "seed corpus: $(ls "$out" | grep -c '^seed-') seeds in $out"
