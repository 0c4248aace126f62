/* date — larql's date expert (Polymath C port). See README.md. */
#include "larql_expert.h"

/* Rust release-build arithmetic wraps; do it through unsigned types. */
static int32_t w32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }
static int64_t wadd(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wmul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

/* {year: JSON integer (i64, cast to i32), month/day: JSON non-negative integer (u64, cast to u32)}; month 1..12, day 1..31 */
static int ymd(const jv *args, const char *key, int32_t *y, uint32_t *m, uint32_t *d) {
    const jv *o = jv_get(args, key);
    int64_t yy; uint64_t mm, dd;
    if (!jv_as_i64(jv_get(o, "year"), &yy)) return 0;
    if (!jv_as_u64(jv_get(o, "month"), &mm)) return 0;
    if (!jv_as_u64(jv_get(o, "day"), &dd)) return 0;
    *y = w32(yy); *m = (uint32_t)mm; *d = (uint32_t)dd;
    if (*m < 1 || *m > 12 || *d < 1 || *d > 31) return 0;
    return 1;
}
static int64_t to_jdn(int32_t y, uint32_t m, uint32_t d) {
    int32_t a = (14 - (int32_t)m) / 12;
    int32_t y4 = w32((int64_t)y + 4800 - a);
    int32_t m4 = (int32_t)m + 12 * a - 3;
    int64_t Y = y4;
    return (int64_t)d + (153 * (int64_t)m4 + 2) / 5 + 365 * Y + Y / 4 - Y / 100 + Y / 400 - 32045;
}
static void from_jdn(int64_t jdn, int32_t *y, uint32_t *m, uint32_t *d) {
    int64_t a = wadd(jdn, 32044);
    int64_t b = wadd(wmul(4, a), 3) / 146097;
    int64_t c = wadd(a, -(wmul(146097, b) / 4));
    int64_t dd = wadd(wmul(4, c), 3) / 1461;
    int64_t e = wadd(c, -(wmul(1461, dd) / 4));
    int64_t mm = wadd(wmul(5, e), 2) / 153;
    *d = (uint32_t)(uint64_t)wadd(wadd(e, -(wadd(wmul(153, mm), 2) / 5)), 1);
    *m = (uint32_t)(uint64_t)wadd(wadd(mm, 3), -wmul(12, mm / 10));
    *y = w32(wadd(wadd(wadd(wmul(100, b), dd), -4800), mm / 10));
}
static int is_leap(int32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static jv *op_days_between(lx_ctx *cx, const jv *a) {
    int32_t y1, y2; uint32_t m1, d1, m2, d2;
    if (!ymd(a, "from", &y1, &m1, &d1) || !ymd(a, "to", &y2, &m2, &d2)) return NULL;
    int64_t diff = to_jdn(y2, m2, d2) - to_jdn(y1, m1, d1);
    return jv_int(cx, diff < 0 ? -diff : diff);
}
static jv *op_weeks_between(lx_ctx *cx, const jv *a) {
    int32_t y1, y2; uint32_t m1, d1, m2, d2;
    if (!ymd(a, "from", &y1, &m1, &d1) || !ymd(a, "to", &y2, &m2, &d2)) return NULL;
    int64_t diff = to_jdn(y2, m2, d2) - to_jdn(y1, m1, d1);
    return jv_int(cx, (diff < 0 ? -diff : diff) / 7);
}
static jv *op_day_of_week(lx_ctx *cx, const jv *a) {
    int32_t y; uint32_t m, d;
    if (!ymd(a, "date", &y, &m, &d)) return NULL;
    int64_t r = to_jdn(y, m, d) % 7;
    if (r < 0) r += 7;
    return jv_int(cx, r + 1);
}
static jv *op_add_days(lx_ctx *cx, const jv *a) {
    int32_t y, ny; uint32_t m, d, nm, nd; int64_t delta;
    if (!ymd(a, "date", &y, &m, &d)) return NULL;
    if (!lx_arg_intx(a, "days", &delta)) return NULL;
    from_jdn(wadd(to_jdn(y, m, d), delta), &ny, &nm, &nd);
    jv *o = jv_obj(cx);
    jv_set(cx, o, "year", jv_int(cx, ny));
    jv_set(cx, o, "month", jv_uint(cx, nm));
    jv_set(cx, o, "day", jv_uint(cx, nd));
    return o;
}
static jv *op_is_leap_year(lx_ctx *cx, const jv *a) {
    int64_t y;
    if (!lx_arg_intx(a, "year", &y)) return NULL;
    return jv_bool(cx, is_leap(w32(y)));
}
static jv *op_days_in_month(lx_ctx *cx, const jv *a) {
    int64_t y; uint64_t m;
    if (!lx_arg_intx(a, "year", &y) || !lx_arg_uintx(a, "month", &m)) return NULL;
    unsigned r;
    switch ((uint32_t)m) {
    case 1: case 3: case 5: case 7: case 8: case 10: case 12: r = 31; break;
    case 4: case 6: case 9: case 11: r = 30; break;
    case 2: r = is_leap(w32(y)) ? 29 : 28; break;
    default: r = 0;
    }
    return jv_uint(cx, r);
}

static const lx_op OPS[] = {
    {"days_between", op_days_between, {"from", "to"}},
    {"weeks_between", op_weeks_between, {"from", "to"}},
    {"day_of_week", op_day_of_week, {"date"}},
    {"add_days", op_add_days, {"date", "days"}},
    {"is_leap_year", op_is_leap_year, {"year"}},
    {"days_in_month", op_days_in_month, {"year", "month"}},
};

LARQL_EXPERT("date", 2, "Date arithmetic: days between, day of week, date +/- N days, leap year", "0.2.0", OPS)
