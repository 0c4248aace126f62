/* geometry — larql's geometry expert (Polymath C port). See README.md. All args are num~, results floats. */
#include "larql_expert.h"

static const double PI = 3.14159265358979323846;
static double sq(double x) { return x * x; }
#define A(k, v) if (!lx_arg_numx(a, k, &v)) return NULL

static jv *op_circle_area(lx_ctx *cx, const jv *a) { double r; A("r", r); return jv_float(cx, PI * sq(r)); }
static jv *op_circle_circumference(lx_ctx *cx, const jv *a) { double r; A("r", r); return jv_float(cx, 2.0 * PI * r); }
static jv *op_circle_diameter(lx_ctx *cx, const jv *a) { double r; A("r", r); return jv_float(cx, 2.0 * r); }
static jv *op_sphere_volume(lx_ctx *cx, const jv *a) { double r; A("r", r); return jv_float(cx, 4.0 / 3.0 * PI * r * r * r); }
static jv *op_sphere_surface_area(lx_ctx *cx, const jv *a) { double r; A("r", r); return jv_float(cx, 4.0 * PI * sq(r)); }
static jv *op_cylinder_volume(lx_ctx *cx, const jv *a) { double r, h; A("r", r); A("h", h); return jv_float(cx, PI * sq(r) * h); }
static jv *op_cone_volume(lx_ctx *cx, const jv *a) { double r, h; A("r", r); A("h", h); return jv_float(cx, PI * sq(r) * h / 3.0); }
static jv *op_cube_volume(lx_ctx *cx, const jv *a) { double s; A("s", s); return jv_float(cx, s * s * s); }
static jv *op_box_volume(lx_ctx *cx, const jv *a) { double l, w, h; A("l", l); A("w", w); A("h", h); return jv_float(cx, l * w * h); }
static jv *op_square_area(lx_ctx *cx, const jv *a) { double s; A("s", s); return jv_float(cx, sq(s)); }
static jv *op_square_perimeter(lx_ctx *cx, const jv *a) { double s; A("s", s); return jv_float(cx, 4.0 * s); }
static jv *op_rectangle_area(lx_ctx *cx, const jv *a) { double l, w; A("l", l); A("w", w); return jv_float(cx, l * w); }
static jv *op_rectangle_perimeter(lx_ctx *cx, const jv *a) { double l, w; A("l", l); A("w", w); return jv_float(cx, 2.0 * (l + w)); }
static jv *op_triangle_area_bh(lx_ctx *cx, const jv *a) { double b, h; A("base", b); A("height", h); return jv_float(cx, 0.5 * b * h); }
static jv *op_triangle_area_heron(lx_ctx *cx, const jv *a) {
    double x, y, z; A("a", x); A("b", y); A("c", z);
    double s = (x + y + z) / 2.0;
    double inside = s * (s - x) * (s - y) * (s - z);
    if (inside < 0.0) return NULL; /* impossible triangle: declined, like larql */
    return jv_float(cx, sqrt(inside));
}
static jv *op_trapezoid_area(lx_ctx *cx, const jv *a) { double x, y, h; A("a", x); A("b", y); A("h", h); return jv_float(cx, 0.5 * (x + y) * h); }
static jv *op_ellipse_area(lx_ctx *cx, const jv *a) { double x, y; A("a", x); A("b", y); return jv_float(cx, PI * x * y); }
static jv *op_hypotenuse(lx_ctx *cx, const jv *a) { double x, y; A("a", x); A("b", y); return jv_float(cx, sqrt(x * x + y * y)); }

static const lx_op OPS[] = {
    {"circle_area", op_circle_area, {"r"}},
    {"circle_circumference", op_circle_circumference, {"r"}},
    {"circle_diameter", op_circle_diameter, {"r"}},
    {"sphere_volume", op_sphere_volume, {"r"}},
    {"sphere_surface_area", op_sphere_surface_area, {"r"}},
    {"cylinder_volume", op_cylinder_volume, {"r", "h"}},
    {"cone_volume", op_cone_volume, {"r", "h"}},
    {"cube_volume", op_cube_volume, {"s"}},
    {"box_volume", op_box_volume, {"l", "w", "h"}},
    {"square_area", op_square_area, {"s"}},
    {"square_perimeter", op_square_perimeter, {"s"}},
    {"rectangle_area", op_rectangle_area, {"l", "w"}},
    {"rectangle_perimeter", op_rectangle_perimeter, {"l", "w"}},
    {"triangle_area_bh", op_triangle_area_bh, {"base", "height"}},
    {"triangle_area_heron", op_triangle_area_heron, {"a", "b", "c"}},
    {"trapezoid_area", op_trapezoid_area, {"a", "b", "h"}},
    {"ellipse_area", op_ellipse_area, {"a", "b"}},
    {"hypotenuse", op_hypotenuse, {"a", "b"}},
};

LARQL_EXPERT("geometry", 1, "Geometry: areas, perimeters, volumes, Pythagorean theorem", "0.2.0", OPS)
