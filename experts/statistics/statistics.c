/* statistics — larql's statistics expert (Polymath C port). See README.md. */
#include "larql_expert.h"

/* Every op reads `values: [num]` first: missing, not an array, a non-number element or empty ⇒ decline. */
static int values(lx_ctx *cx, const jv *a, double **v, size_t *n) {
    return lx_arg_numlist(cx, a, "values", v, n) && *n > 0;
}
/* Rust's f64 Sum starts from -0.0. */
static double sum(const double *v, size_t n) { double s = -0.0; for (size_t i = 0; i < n; i++) s += v[i]; return s; }
static double mean(const double *v, size_t n) { return sum(v, n) / (double)n; }
static int cmp_f64(const void *x, const void *y, void *u) {
    (void)u;
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : (a > b ? 1 : 0); /* partial_cmp, NaN compares equal */
}
static double *sorted(lx_ctx *cx, const double *v, size_t n) {
    double *s = (double *)lx_alloc(cx, n * sizeof(double));
    memcpy(s, v, n * sizeof(double));
    lx_sort(cx, s, n, sizeof(double), cmp_f64, NULL);
    return s;
}
static double variance_pop(const double *v, size_t n) {
    double m = mean(v, n), s = -0.0;
    for (size_t i = 0; i < n; i++) s += (v[i] - m) * (v[i] - m);
    return s / (double)n;
}
static double vmin(const double *v, size_t n) { double r = INFINITY; for (size_t i = 0; i < n; i++) r = fmin(r, v[i]); return r; }
static double vmax(const double *v, size_t n) { double r = -INFINITY; for (size_t i = 0; i < n; i++) r = fmax(r, v[i]); return r; }

#define STAT_OP(name, expr)                                      \
    static jv *op_##name(lx_ctx *cx, const jv *a) {               \
        double *v; size_t n;                                      \
        if (!values(cx, a, &v, &n)) return NULL;                  \
        return (expr);                                            \
    }
STAT_OP(mean, jv_float(cx, mean(v, n)))
STAT_OP(stddev, jv_float(cx, sqrt(variance_pop(v, n))))
STAT_OP(variance, jv_float(cx, variance_pop(v, n)))
STAT_OP(min, jv_float(cx, vmin(v, n)))
STAT_OP(max, jv_float(cx, vmax(v, n)))
STAT_OP(sum, jv_float(cx, sum(v, n)))
STAT_OP(count, jv_uint(cx, n))
STAT_OP(range, jv_float(cx, vmax(v, n) - vmin(v, n)))

static jv *op_median(lx_ctx *cx, const jv *a) {
    double *v; size_t n;
    if (!values(cx, a, &v, &n)) return NULL;
    double *s = sorted(cx, v, n);
    return jv_float(cx, n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0);
}
static jv *op_sort(lx_ctx *cx, const jv *a) {
    double *v; size_t n;
    if (!values(cx, a, &v, &n)) return NULL;
    double *s = sorted(cx, v, n);
    jv *arr = jv_arr(cx);
    for (size_t i = 0; i < n; i++) jv_push(cx, arr, jv_float(cx, s[i]));
    return arr;
}
static jv *op_mode(lx_ctx *cx, const jv *a) {
    double *v; size_t n;
    if (!values(cx, a, &v, &n)) return NULL;
    double *val = (double *)lx_alloc(cx, n * sizeof(double));
    size_t *cnt = (size_t *)lx_alloc(cx, n * sizeof(size_t));
    size_t k = 0, max = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < k && !(fabs(val[j] - v[i]) < 1e-12)) j++;
        if (j < k) cnt[j]++;
        else { val[k] = v[i]; cnt[k] = 1; k++; }
    }
    for (size_t j = 0; j < k; j++) if (cnt[j] > max) max = cnt[j];
    jv *arr = jv_arr(cx);
    if (max <= 1) return arr;
    for (size_t j = 0; j < k; j++) if (cnt[j] == max) jv_push(cx, arr, jv_float(cx, val[j]));
    return arr;
}

static const lx_op OPS[] = {
    {"mean", op_mean, {"values"}},
    {"median", op_median, {"values"}},
    {"mode", op_mode, {"values"}},
    {"stddev", op_stddev, {"values"}},
    {"variance", op_variance, {"values"}},
    {"min", op_min, {"values"}},
    {"max", op_max, {"values"}},
    {"sum", op_sum, {"values"}},
    {"count", op_count, {"values"}},
    {"range", op_range, {"values"}},
    {"sort", op_sort, {"values"}},
};

LARQL_EXPERT("statistics", 1, "Statistics: mean, median, mode, stddev, variance, min, max, sum, sort, range", "0.2.0", OPS)
