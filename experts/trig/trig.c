/* trig — larql's trigonometry expert (Polymath C port). See README.md. Angles in radians; args num~. */
#include "larql_expert.h"

static const double PI = 3.14159265358979323846;
#define X(k) double x; if (!lx_arg_numx(a, k, &x)) return NULL

static jv *op_sin(lx_ctx *cx, const jv *a) { X("x"); return jv_float(cx, sin(x)); }
static jv *op_cos(lx_ctx *cx, const jv *a) { X("x"); return jv_float(cx, cos(x)); }
static jv *op_tan(lx_ctx *cx, const jv *a) {
    X("x");
    double c = cos(x);
    return fabs(c) < 1e-14 ? jv_null(cx) : jv_float(cx, sin(x) / c);
}
static jv *op_asin(lx_ctx *cx, const jv *a) { X("x"); return !(x >= -1.0 && x <= 1.0) ? jv_null(cx) : jv_float(cx, asin(x)); }
static jv *op_acos(lx_ctx *cx, const jv *a) { X("x"); return !(x >= -1.0 && x <= 1.0) ? jv_null(cx) : jv_float(cx, acos(x)); }
static jv *op_atan(lx_ctx *cx, const jv *a) { X("x"); return jv_float(cx, atan(x)); }
static jv *op_sec(lx_ctx *cx, const jv *a) { X("x"); double c = cos(x); return fabs(c) < 1e-14 ? jv_null(cx) : jv_float(cx, 1.0 / c); }
static jv *op_csc(lx_ctx *cx, const jv *a) { X("x"); double s = sin(x); return fabs(s) < 1e-14 ? jv_null(cx) : jv_float(cx, 1.0 / s); }
static jv *op_cot(lx_ctx *cx, const jv *a) { X("x"); double s = sin(x); return fabs(s) < 1e-14 ? jv_null(cx) : jv_float(cx, cos(x) / s); }
/* Rust's f64::to_radians multiplies by PI/180; to_degrees by 180/PI (57.2957795130823208767981548141051703_f64). */
static jv *op_deg_to_rad(lx_ctx *cx, const jv *a) { X("deg"); return jv_float(cx, x * (PI / 180.0)); }
static jv *op_rad_to_deg(lx_ctx *cx, const jv *a) { X("rad"); return jv_float(cx, x * 57.2957795130823208767981548141051703); }

static const lx_op OPS[] = {
    {"sin", op_sin, {"x"}},
    {"cos", op_cos, {"x"}},
    {"tan", op_tan, {"x"}},
    {"asin", op_asin, {"x"}},
    {"acos", op_acos, {"x"}},
    {"atan", op_atan, {"x"}},
    {"sec", op_sec, {"x"}},
    {"csc", op_csc, {"x"}},
    {"cot", op_cot, {"x"}},
    {"deg_to_rad", op_deg_to_rad, {"deg"}},
    {"rad_to_deg", op_rad_to_deg, {"rad"}},
};

LARQL_EXPERT("trig", 1, "Trigonometry: sin, cos, tan, arc functions, degree/radian conversion (angles in radians)", "0.2.0", OPS)
