/* isbn — larql's ISBN expert (Polymath C port). See README.md. */
#include "larql_expert.h"

/* Keep ASCII digits, and X/x only when exactly 9 characters have been kept; the result must be 10 or 13 long. */
static int normalise(const jv *a, char out[14], size_t *len) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "isbn", &s, &n)) return 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') { if (k >= 13) return 0; out[k++] = c; } /* more than 13 digits can never qualify */
        else if ((c == 'X' || c == 'x') && k == 9) out[k++] = 'X';
    }
    out[k] = 0;
    *len = k;
    return k == 10 || k == 13;
}
static int validate10(const char *d) {
    unsigned sum = 0;
    for (int i = 0; i < 9; i++) {
        if (d[i] < '0' || d[i] > '9') return 0;
        sum += (unsigned)(10 - i) * (unsigned)(d[i] - '0');
    }
    if (d[9] == 'X') sum += 10;
    else if (d[9] >= '0' && d[9] <= '9') sum += (unsigned)(d[9] - '0');
    else return 0;
    return sum % 11 == 0;
}
static unsigned check13(const char *p) {
    unsigned sum = 0;
    for (int i = 0; i < 12; i++) {
        unsigned d = (unsigned)(unsigned char)(p[i] - '0'); /* u8 subtraction like larql ('X' never reaches here in practice) */
        sum += i % 2 == 0 ? d : d * 3;
    }
    return (10 - sum % 10) % 10;
}
static jv *op_validate(lx_ctx *cx, const jv *a) {
    char d[14]; size_t n;
    if (!normalise(a, d, &n)) return NULL;
    jv *o = jv_obj(cx);
    jv_set(cx, o, "normalized", jv_strn(cx, d, n));
    if (n == 10) {
        jv_set(cx, o, "kind", jv_str(cx, "isbn10"));
        jv_set(cx, o, "valid", jv_bool(cx, validate10(d)));
    } else {
        unsigned expected = check13(d), actual = (unsigned)(unsigned char)(d[12] - '0');
        jv_set(cx, o, "kind", jv_str(cx, "isbn13"));
        jv_set(cx, o, "valid", jv_bool(cx, expected == actual));
        jv_set(cx, o, "expected_check", jv_uint(cx, expected));
        jv_set(cx, o, "actual_check", jv_uint(cx, actual));
    }
    return o;
}
static jv *op_isbn10_to_isbn13(lx_ctx *cx, const jv *a) {
    char d[14]; size_t n;
    if (!normalise(a, d, &n) || n != 10) return NULL;
    char r[14] = "978";
    memcpy(r + 3, d, 9);
    r[12] = (char)('0' + check13(r));
    return jv_strn(cx, r, 13);
}
static jv *op_isbn13_to_isbn10(lx_ctx *cx, const jv *a) {
    char d[14]; size_t n;
    if (!normalise(a, d, &n) || n != 13) return NULL;
    if (memcmp(d, "978", 3) != 0) return jv_null(cx);
    unsigned sum = 0;
    for (int i = 0; i < 9; i++) sum += (unsigned)(10 - i) * (unsigned)(d[3 + i] - '0');
    unsigned check = (11 - sum % 11) % 11;
    char r[10];
    memcpy(r, d + 3, 9);
    r[9] = check == 10 ? 'X' : (char)('0' + check);
    return jv_strn(cx, r, 10);
}

static const lx_op OPS[] = {
    {"validate", op_validate, {"isbn"}},
    {"isbn10_to_isbn13", op_isbn10_to_isbn13, {"isbn"}},
    {"isbn13_to_isbn10", op_isbn13_to_isbn10, {"isbn"}},
};

LARQL_EXPERT("isbn", 1, "ISBN-10 and ISBN-13 validation and conversion", "0.2.0", OPS)
