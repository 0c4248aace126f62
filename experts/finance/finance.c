/* finance — larql's finance expert (Polymath C port). See README.md. Rates are percentages. */
#include "larql_expert.h"

static double pow_int(double x, uint32_t n) {
    double r = 1.0, base = x;
    while (n > 0) { if (n & 1) r *= base; base *= base; n >>= 1; }
    return r;
}
#define F(k, v) if (!lx_arg_numx(a, k, &v)) return NULL
#define U32(k, v) uint64_t v##64; if (!lx_arg_uintx(a, k, &v##64)) return NULL; uint32_t v = (uint32_t)v##64

static jv *op_future_value(lx_ctx *cx, const jv *a) {
    double pv, rate; F("pv", pv); F("rate_pct", rate); U32("years", years);
    const char *c; size_t cn;
    uint32_t periods = years; double r = rate / 100.0;
    if (jv_as_str(jv_get(a, "compounding"), &c, &cn)) {
        if (lx_eq(c, cn, "monthly")) { periods = years * 12u; r = rate / 100.0 / 12.0; }
        else if (lx_eq(c, cn, "quarterly")) { periods = years * 4u; r = rate / 100.0 / 4.0; }
    }
    return jv_float(cx, pv * pow_int(1.0 + r, periods));
}
static jv *op_present_value(lx_ctx *cx, const jv *a) {
    double fv, rate; F("fv", fv); F("rate_pct", rate); U32("years", years);
    return jv_float(cx, fv / pow_int(1.0 + rate / 100.0, years));
}
static jv *op_compound_interest(lx_ctx *cx, const jv *a) {
    double p, rate; F("principal", p); F("rate_pct", rate); U32("years", n);
    return jv_float(cx, p * pow_int(1.0 + rate / 100.0, n) - p);
}
static jv *op_simple_interest(lx_ctx *cx, const jv *a) {
    double p, rate, t; F("principal", p); F("rate_pct", rate); F("years", t);
    return jv_float(cx, p * (rate / 100.0) * t);
}
static uint32_t f64_to_u32(double f) { /* Rust `as u32`: saturating, NaN -> 0 */
    if (f != f || f <= 0.0) return 0;
    if (f >= 4294967295.0) return UINT32_MAX;
    return (uint32_t)f;
}
static jv *op_mortgage_payment(lx_ctx *cx, const jv *a) {
    double p, pct, years; F("principal", p); F("annual_rate_pct", pct); F("years", years);
    uint32_t n = f64_to_u32(years * 12.0);
    double r = pct / 100.0 / 12.0;
    if (r == 0.0) return jv_float(cx, p / (double)n);
    double factor = pow_int(1.0 + r, n);
    return jv_float(cx, p * r * factor / (factor - 1.0));
}
static jv *op_npv(lx_ctx *cx, const jv *a) {
    double *cf; size_t n; double pct;
    if (!lx_arg_numlist(cx, a, "cash_flows", &cf, &n)) return NULL;
    F("discount_pct", pct);
    double r = pct / 100.0, s = -0.0; /* Rust's f64 Sum starts from -0.0 */
    for (size_t t = 0; t < n; t++) s += cf[t] / pow_int(1.0 + r, (uint32_t)t);
    return jv_float(cx, s);
}
static jv *op_bayes(lx_ctx *cx, const jv *a) {
    double pba, pa, pb; F("p_b_given_a", pba); F("p_a", pa); F("p_b", pb);
    if (pb == 0.0) return jv_null(cx);
    return jv_float(cx, pba * pa / pb);
}
static jv *op_kelly(lx_ctx *cx, const jv *a) {
    double p, b; F("p", p); F("b", b);
    if (b == 0.0) return jv_null(cx);
    double q = 1.0 - p;
    return jv_float(cx, fmax((b * p - q) / b, 0.0));
}
static jv *op_roi(lx_ctx *cx, const jv *a) {
    double gain, cost; F("gain", gain); F("cost", cost);
    if (cost == 0.0) return jv_null(cx);
    return jv_float(cx, (gain - cost) / cost);
}

static const lx_op OPS[] = {
    {"future_value", op_future_value, {"pv", "rate_pct", "years", "compounding"}},
    {"present_value", op_present_value, {"fv", "rate_pct", "years"}},
    {"compound_interest", op_compound_interest, {"principal", "rate_pct", "years"}},
    {"simple_interest", op_simple_interest, {"principal", "rate_pct", "years"}},
    {"mortgage_payment", op_mortgage_payment, {"principal", "annual_rate_pct", "years"}},
    {"npv", op_npv, {"cash_flows", "discount_pct"}},
    {"bayes", op_bayes, {"p_b_given_a", "p_a", "p_b"}},
    {"kelly", op_kelly, {"p", "b"}},
    {"roi", op_roi, {"gain", "cost"}},
};

LARQL_EXPERT("finance", 1, "Finance: future/present value, interest, mortgage, NPV, Bayes, Kelly, ROI", "0.2.0", OPS)
