/* Unicode helpers shared by the string_ops, sql and logic experts: Rust's char classification
 * (is_alphabetic, is_numeric, is_alphanumeric) and full case mapping (char::to_lowercase/to_uppercase,
 * str::to_lowercase with Final_Sigma, str::to_uppercase). Data: unicode_tables.h (gen_unicode.pl). */
#ifndef POLYMATH_EXPERTS_UNICODE_H
#define POLYMATH_EXPERTS_UNICODE_H
#include "larql_expert.h"
#include "unicode_tables.h"

LX_API int u_in_ranges(const uint32_t (*r)[2], size_t n, uint32_t c) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < r[mid][0]) hi = mid;
        else if (c > r[mid][1]) lo = mid + 1;
        else return 1;
    }
    return 0;
}
LX_API int u_is_alphabetic(uint32_t c) { return u_in_ranges(U_ALPHA, sizeof U_ALPHA / sizeof U_ALPHA[0], c); }
LX_API int u_is_numeric(uint32_t c) { return u_in_ranges(U_NUMERIC, sizeof U_NUMERIC / sizeof U_NUMERIC[0], c); }
LX_API int u_is_cased(uint32_t c) { return u_in_ranges(U_CASED, sizeof U_CASED / sizeof U_CASED[0], c); }
LX_API int u_is_case_ignorable(uint32_t c) { return u_in_ranges(U_CASE_IGNORABLE, sizeof U_CASE_IGNORABLE / sizeof U_CASE_IGNORABLE[0], c); }
LX_API int u_is_alphanumeric(uint32_t c) { return u_is_alphabetic(c) || u_is_numeric(c); }

#define U_MAPPER(name, table)                                                           \
    LX_API int name(uint32_t c, uint32_t out[3]) {                                      \
        size_t lo = 0, hi = sizeof table / sizeof table[0];                             \
        while (lo < hi) {                                                               \
            size_t mid = (lo + hi) / 2;                                                 \
            if (c < table[mid].cp) hi = mid;                                            \
            else if (c > table[mid].cp) lo = mid + 1;                                   \
            else {                                                                      \
                int k = 0;                                                              \
                while (k < 3 && table[mid].to[k]) { out[k] = table[mid].to[k]; k++; }  \
                return k;                                                               \
            }                                                                           \
        }                                                                               \
        out[0] = c;                                                                     \
        return 1;                                                                       \
    }
/* char::to_lowercase / char::to_uppercase: 1..3 code points */
U_MAPPER(u_char_lower, U_TOLOWER)
U_MAPPER(u_char_upper, U_TOUPPER)

/** Decode a UTF-8 string into code points (arena); *count gets the number. */
LX_API uint32_t *u_chars(lx_ctx *cx, const char *s, size_t n, size_t *count) {
    uint32_t *v = (uint32_t *)lx_alloc(cx, (n + 1) * sizeof(uint32_t));
    size_t k = 0, i = 0, l;
    while (i < n) { v[k++] = lx_utf8_next(s + i, n - i, &l); i += l; }
    *count = k;
    return v;
}

LX_API int u_ignorable_then_cased(const uint32_t *c, size_t k, size_t i, int dir) {
    for (;;) {
        if (dir < 0) { if (i == 0) return 0; i--; } else { i++; if (i >= k) return 0; }
        if (!u_is_case_ignorable(c[i])) return u_is_cased(c[i]);
    }
}

/** Rust's str::to_lowercase (full mapping + Final_Sigma) into buffer b. */
LX_API void u_str_lower(lx_ctx *cx, lx_buf *b, const char *s, size_t n) {
    size_t k;
    uint32_t *c = u_chars(cx, s, n, &k);
    for (size_t i = 0; i < k; i++) {
        if (c[i] == 0x3A3) {
            int final = u_ignorable_then_cased(c, k, i, -1) && !u_ignorable_then_cased(c, k, i, 1);
            lx_buf_putcp(b, final ? 0x3C2 : 0x3C3);
            continue;
        }
        uint32_t t[3];
        int q = u_char_lower(c[i], t);
        for (int j = 0; j < q; j++) lx_buf_putcp(b, t[j]);
    }
}
/** Rust's str::to_uppercase (full mapping) into buffer b. */
LX_API void u_str_upper(lx_ctx *cx, lx_buf *b, const char *s, size_t n) {
    size_t k;
    uint32_t *c = u_chars(cx, s, n, &k);
    for (size_t i = 0; i < k; i++) {
        uint32_t t[3];
        int q = u_char_upper(c[i], t);
        for (int j = 0; j < q; j++) lx_buf_putcp(b, t[j]);
    }
}
#endif
