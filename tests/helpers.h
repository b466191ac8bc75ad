/*
 * helpers.h - small helpers shared by the Check suites (files and PDFs);
 * scenario fixtures are in fixture.h.
 */
#ifndef NATCAP_TESTS_HELPERS_H
#define NATCAP_TESTS_HELPERS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file at path, NUL-terminated, its length in *len; NULL when it
 * cannot be opened.  The caller frees it. */
static inline char *slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* Page objects of a PDF: "/Type /Page" not followed by "s" (the tree). */
static inline int pdf_pages(const char *buf, size_t len)
{
    int n = 0;
    const char *key = "/Type /Page";
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl < len; i++)
        if (memcmp(buf + i, key, kl) == 0 && buf[i + kl] != 's')
            n++;
    return n;
}

/* Page objects of the PDF file at path, which must be readable. */
static inline int pdf_file_pages(const char *path)
{
    size_t len;
    char *pdf = slurp(path, &len);
    ck_assert_msg(pdf != NULL, "%s: cannot be read", path);
    int n = pdf_pages(pdf, len);
    free(pdf);
    return n;
}

#endif
