/* luhn — larql's Luhn expert (Polymath C port). See README.md. */
#include "larql_expert.h"

/* `number` must be a JSON string; non-digits are ignored; no digits ⇒ decline. */
static int digits_of(lx_ctx *cx, const jv *a, unsigned char **d, size_t *n) {
    const char *s; size_t len;
    if (!lx_arg_str(a, "number", &s, &len)) return 0;
    unsigned char *v = (unsigned char *)lx_alloc(cx, len + 1);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) if (s[i] >= '0' && s[i] <= '9') v[k++] = (unsigned char)(s[i] - '0');
    *d = v; *n = k;
    return k > 0;
}
static unsigned luhn_sum(const unsigned char *d, size_t n, int dbl) {
    unsigned sum = 0;
    for (size_t i = n; i-- > 0;) {
        unsigned x = d[i];
        if (dbl) { x *= 2; if (x > 9) x -= 9; }
        sum += x;
        dbl = !dbl;
    }
    return sum;
}
static jv *op_check(lx_ctx *cx, const jv *a) {
    unsigned char *d; size_t n;
    if (!digits_of(cx, a, &d, &n)) return NULL;
    return jv_bool(cx, n >= 2 && luhn_sum(d, n, 0) % 10 == 0);
}
static jv *op_generate_check_digit(lx_ctx *cx, const jv *a) {
    unsigned char *d; size_t n;
    if (!digits_of(cx, a, &d, &n)) return NULL;
    return jv_uint(cx, (10 - luhn_sum(d, n, 1) % 10) % 10);
}
static jv *op_card_type(lx_ctx *cx, const jv *a) {
    unsigned char *d; size_t n;
    if (!digits_of(cx, a, &d, &n)) return NULL;
    unsigned first = d[0];
    unsigned first_two = n >= 2 ? d[0] * 10u + d[1] : 0;
    unsigned first_four = 0;
    for (size_t i = 0; i < n && i < 4; i++) first_four = first_four * 10 + d[i];
    const char *t = "unknown";
    if (first == 4 && (n == 16 || n == 13)) t = "visa";
    else if (first == 5 && first_two >= 51 && first_two <= 55) t = "mastercard";
    else if (first == 3 && (first_two == 34 || first_two == 37)) t = "amex";
    else if (first == 6 && (first_two == 60 || first_four == 6011)) t = "discover";
    return jv_str(cx, t);
}

static const lx_op OPS[] = {
    {"check", op_check, {"number"}},
    {"generate_check_digit", op_generate_check_digit, {"number"}},
    {"card_type", op_card_type, {"number"}},
};

LARQL_EXPERT("luhn", 1, "Luhn algorithm: validation, check-digit generation, card-network detection", "0.2.0", OPS)
