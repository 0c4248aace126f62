/* arithmetic — larql's arithmetic expert (Polymath C port). See README.md. */
#include "larql_expert.h"

static jv *op_add(lx_ctx *cx, const jv *a) {
    double x, y;
    if (!lx_arg_num(a, "a", &x) || !lx_arg_num(a, "b", &y)) return NULL;
    return jv_float(cx, x + y);
}
static jv *op_sub(lx_ctx *cx, const jv *a) {
    double x, y;
    if (!lx_arg_num(a, "a", &x) || !lx_arg_num(a, "b", &y)) return NULL;
    return jv_float(cx, x - y);
}
static jv *op_mul(lx_ctx *cx, const jv *a) {
    double x, y;
    if (!lx_arg_num(a, "a", &x) || !lx_arg_num(a, "b", &y)) return NULL;
    return jv_float(cx, x * y);
}
static jv *op_div(lx_ctx *cx, const jv *a) {
    double x, y;
    if (!lx_arg_num(a, "b", &y)) return NULL;
    if (y == 0.0) return jv_null(cx); /* b is read first: b=0 gives null even without a */
    if (!lx_arg_num(a, "a", &x)) return NULL;
    return jv_float(cx, x / y);
}
static jv *op_pow(lx_ctx *cx, const jv *a) {
    double x, y;
    if (!lx_arg_num(a, "a", &x) || !lx_arg_num(a, "b", &y)) return NULL;
    return jv_float(cx, pow(x, y));
}
static jv *op_mod(lx_ctx *cx, const jv *a) {
    int64_t x, y;
    if (!lx_arg_intx(a, "a", &x) || !lx_arg_intx(a, "b", &y)) return NULL;
    if (y == 0) return jv_null(cx);
    if (x == INT64_MIN && y == -1) return NULL; /* larql traps (overflow panic); we decline */
    return jv_int(cx, x % y);
}
static uint64_t gcd_u64(uint64_t a, uint64_t b) {
    while (b) { uint64_t t = a % b; a = b; b = t; }
    return a;
}
static jv *op_gcd(lx_ctx *cx, const jv *a) {
    uint64_t x, y;
    if (!lx_arg_uintx(a, "a", &x) || !lx_arg_uintx(a, "b", &y)) return NULL;
    return jv_uint(cx, gcd_u64(x, y));
}
static jv *op_lcm(lx_ctx *cx, const jv *a) {
    uint64_t x, y;
    if (!lx_arg_uintx(a, "a", &x) || !lx_arg_uintx(a, "b", &y)) return NULL;
    if (x == 0 || y == 0) return jv_uint(cx, 0);
    return jv_uint(cx, x / gcd_u64(x, y) * y); /* wraps on overflow, like larql's release build */
}
static jv *op_factorial(lx_ctx *cx, const jv *a) {
    uint64_t n, r = 1;
    if (!lx_arg_uintx(a, "n", &n)) return NULL;
    if (n > 20) return NULL;
    for (uint64_t i = 2; i <= n; i++) r *= i;
    return jv_uint(cx, r);
}
static int is_prime_u64(uint64_t n) {
    if (n < 2) return 0;
    if (n == 2) return 1;
    if (n % 2 == 0) return 0;
    for (uint64_t i = 3;; i += 2) {
        uint64_t sq = i > UINT32_MAX ? UINT64_MAX : i * i; /* saturating_mul */
        if (sq > n) break;
        if (n % i == 0) return 0;
    }
    return 1;
}
static jv *op_is_prime(lx_ctx *cx, const jv *a) {
    uint64_t n;
    if (!lx_arg_uintx(a, "n", &n)) return NULL;
    return jv_bool(cx, is_prime_u64(n));
}
static jv *op_is_perfect_square(lx_ctx *cx, const jv *a) {
    uint64_t n;
    if (!lx_arg_uintx(a, "n", &n)) return NULL;
    uint64_t r = lx_f64_to_u64(sqrt((double)n));
    return jv_bool(cx, r * r == n); /* wrapping multiply, as larql's release build */
}
static jv *op_to_base(lx_ctx *cx, const jv *a) {
    uint64_t n, base;
    if (!lx_arg_uintx(a, "n", &n) || !lx_arg_uintx(a, "base", &base)) return NULL;
    if (base != 2 && base != 8 && base != 10 && base != 16) return NULL;
    char t[70]; int k = 0;
    do { t[k++] = "0123456789ABCDEF"[n % base]; n /= base; } while (n);
    lx_buf b; lx_buf_init(&b, cx);
    while (k) lx_buf_putc(&b, t[--k]);
    return lx_buf_jv(&b);
}
static jv *op_from_base(lx_ctx *cx, const jv *a) {
    const char *s; size_t n; uint64_t base, v;
    if (!lx_arg_str(a, "s", &s, &n) || !lx_arg_uintx(a, "base", &base)) return NULL;
    base = (uint32_t)base; /* `as u32` */
    if (base < 2 || base > 36) return NULL; /* larql panics (trap); we decline */
    while (n >= 2 && s[0] == '0' && s[1] == 'x') { s += 2; n -= 2; }
    while (n >= 2 && s[0] == '0' && s[1] == 'X') { s += 2; n -= 2; }
    if (!lx_parse_u64_radix(s, n, (unsigned)base, &v)) return NULL;
    return jv_uint(cx, v);
}
static jv *op_to_roman(lx_ctx *cx, const jv *a) {
    static const struct { unsigned v; const char *s; } R[] = {
        {1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
        {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}};
    uint64_t n;
    if (!lx_arg_uintx(a, "n", &n)) return NULL;
    if (n == 0 || n > 3999) return NULL;
    lx_buf b; lx_buf_init(&b, cx);
    for (size_t i = 0; i < sizeof R / sizeof R[0]; i++)
        while (n >= R[i].v) { lx_buf_puts(&b, R[i].s); n -= R[i].v; }
    return lx_buf_jv(&b);
}
static int roman_val(uint32_t c) {
    switch (c) {
    case 'I': return 1; case 'V': return 5; case 'X': return 10; case 'L': return 50;
    case 'C': return 100; case 'D': return 500; case 'M': return 1000;
    default: return -1;
    }
}
static jv *op_from_roman(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "s", &s, &n)) return NULL;
    if (n == 0) return NULL;
    int64_t total = 0;
    size_t i = 0, l;
    uint32_t c = lx_utf8_next(s, n, &l);
    while (i < n) {
        int curr = roman_val(c);
        if (curr < 0) return NULL;
        size_t j = i + l, l2 = 0;
        int next = 0;
        uint32_t c2 = 0;
        if (j < n) {
            c2 = lx_utf8_next(s + j, n - j, &l2);
            next = roman_val(c2);
            if (next < 0) return NULL;
        }
        if (curr < next) total -= curr; else total += curr;
        i = j; c = c2; l = l2;
    }
    if (total <= 0) return NULL;
    return jv_uint(cx, (uint32_t)total);
}
static jv *op_percent_of(lx_ctx *cx, const jv *a) {
    double p, n;
    if (!lx_arg_num(a, "pct", &p) || !lx_arg_num(a, "n", &n)) return NULL;
    return jv_float(cx, p / 100.0 * n);
}
static jv *op_percent_increase(lx_ctx *cx, const jv *a) {
    double p, n;
    if (!lx_arg_num(a, "n", &n) || !lx_arg_num(a, "pct", &p)) return NULL;
    return jv_float(cx, n * (1.0 + p / 100.0));
}
static jv *op_percent_decrease(lx_ctx *cx, const jv *a) {
    double p, n;
    if (!lx_arg_num(a, "n", &n) || !lx_arg_num(a, "pct", &p)) return NULL;
    return jv_float(cx, n * (1.0 - p / 100.0));
}

static const lx_op OPS[] = {
    {"add", op_add, {"a", "b"}},
    {"sub", op_sub, {"a", "b"}},
    {"mul", op_mul, {"a", "b"}},
    {"div", op_div, {"a", "b"}},
    {"pow", op_pow, {"a", "b"}},
    {"mod", op_mod, {"a", "b"}},
    {"gcd", op_gcd, {"a", "b"}},
    {"lcm", op_lcm, {"a", "b"}},
    {"factorial", op_factorial, {"n"}},
    {"is_prime", op_is_prime, {"n"}},
    {"is_perfect_square", op_is_perfect_square, {"n"}},
    {"to_base", op_to_base, {"n", "base"}},
    {"from_base", op_from_base, {"s", "base"}},
    {"to_roman", op_to_roman, {"n"}},
    {"from_roman", op_from_roman, {"s"}},
    {"percent_of", op_percent_of, {"pct", "n"}},
    {"percent_increase", op_percent_increase, {"n", "pct"}},
    {"percent_decrease", op_percent_decrease, {"n", "pct"}},
};

LARQL_EXPERT("arithmetic", 1, "Arithmetic, number theory, base conversion, Roman numerals, percentages", "0.2.0", OPS)
