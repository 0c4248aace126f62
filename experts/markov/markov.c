/* markov — larql's Markov-chain expert (Polymath C port). See README.md. */
#include "larql_expert.h"

static jv *op_expected_value(lx_ctx *cx, const jv *a) {
    double *o, *p; size_t no, np;
    if (!lx_arg_numlist(cx, a, "outcomes", &o, &no) || !lx_arg_numlist(cx, a, "probabilities", &p, &np)) return NULL;
    if (no != np || no == 0) return NULL;
    double s = -0.0; /* Rust's f64 Sum starts from -0.0 */
    for (size_t i = 0; i < no; i++) s += o[i] * p[i];
    return jv_float(cx, s);
}
static jv *op_steady_state(lx_ctx *cx, const jv *a) {
    const jv *m = jv_get(a, "matrix");
    if (!jv_is_arr(m)) return NULL;
    size_t n = jv_len(m);
    double **rows = (double **)lx_alloc(cx, (n ? n : 1) * sizeof(double *));
    size_t *lens = (size_t *)lx_alloc(cx, (n ? n : 1) * sizeof(size_t));
    for (size_t i = 0; i < n; i++) if (!lx_list_f64(cx, jv_at(m, i), &rows[i], &lens[i])) return NULL;
    if (n == 0) return NULL;
    for (size_t i = 0; i < n; i++) if (lens[i] != n) return NULL;
    double *v = (double *)lx_alloc(cx, n * sizeof(double)), *out = (double *)lx_alloc(cx, n * sizeof(double));
    for (size_t i = 0; i < n; i++) v[i] = 1.0 / (double)n;
    for (int it = 0; it < 1000; it++) {
        for (size_t j = 0; j < n; j++) out[j] = 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) out[j] += v[i] * rows[i][j];
        double s = -0.0;
        for (size_t j = 0; j < n; j++) s += out[j];
        if (s > 0.0) for (size_t j = 0; j < n; j++) out[j] /= s;
        double *t = v; v = out; out = t;
    }
    jv *arr = jv_arr(cx);
    for (size_t i = 0; i < n; i++) jv_push(cx, arr, jv_float(cx, v[i]));
    return arr;
}

static const lx_op OPS[] = {
    {"expected_value", op_expected_value, {"outcomes", "probabilities"}},
    {"steady_state", op_steady_state, {"matrix"}},
};

LARQL_EXPERT("markov", 1, "Markov chains: expected value, steady state (power method)", "0.2.0", OPS)
