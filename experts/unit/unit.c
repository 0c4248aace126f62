/* unit — larql's unit-conversion expert (Polymath C port). See README.md. */
#include "larql_expert.h"

typedef struct { const char *id; double to_si, offset; const char *group; } unit_t;

static const unit_t UNITS[] = {
    {"m", 1.0, 0.0, "length"}, {"km", 1000.0, 0.0, "length"}, {"cm", 0.01, 0.0, "length"},
    {"mm", 0.001, 0.0, "length"}, {"mi", 1609.344, 0.0, "length"}, {"yd", 0.9144, 0.0, "length"},
    {"ft", 0.3048, 0.0, "length"}, {"in", 0.0254, 0.0, "length"}, {"nmi", 1852.0, 0.0, "length"},
    {"kg", 1.0, 0.0, "mass"}, {"g", 0.001, 0.0, "mass"}, {"mg", 1e-6, 0.0, "mass"}, {"t", 1000.0, 0.0, "mass"},
    {"lb", 0.45359237, 0.0, "mass"}, {"oz", 0.028349523125, 0.0, "mass"}, {"st", 6.35029318, 0.0, "mass"},
    {"C", 1.0, 0.0, "temp"}, {"K", 1.0, -273.15, "temp"}, {"F", 5.0 / 9.0, -32.0, "temp"},
    {"L", 1.0, 0.0, "volume"}, {"mL", 0.001, 0.0, "volume"}, {"cL", 0.01, 0.0, "volume"},
    {"m3", 1000.0, 0.0, "volume"}, {"gal", 3.785411784, 0.0, "volume"}, {"ukgal", 4.54609, 0.0, "volume"},
    {"pt", 0.473176473, 0.0, "volume"}, {"floz", 0.0295735296, 0.0, "volume"}, {"cup", 0.2365882365, 0.0, "volume"},
    {"tbsp", 0.014786765, 0.0, "volume"}, {"tsp", 0.004928922, 0.0, "volume"},
    {"mps", 1.0, 0.0, "speed"}, {"kmh", 1.0 / 3.6, 0.0, "speed"}, {"mph", 0.44704, 0.0, "speed"},
    {"kn", 0.514444, 0.0, "speed"},
    {"J", 1.0, 0.0, "energy"}, {"kJ", 1000.0, 0.0, "energy"}, {"cal", 4.184, 0.0, "energy"},
    {"kcal", 4184.0, 0.0, "energy"}, {"Wh", 3600.0, 0.0, "energy"}, {"kWh", 3600000.0, 0.0, "energy"},
};
#define N_UNITS (sizeof UNITS / sizeof UNITS[0])

static const unit_t *find(const jv *args, const char *key) {
    const char *s; size_t n;
    if (!lx_arg_str(args, key, &s, &n)) return NULL;
    for (size_t i = 0; i < N_UNITS; i++)
        if (lx_eq(s, n, UNITS[i].id)) return &UNITS[i];
    return NULL;
}

static jv *op_convert(lx_ctx *cx, const jv *a) {
    double v;
    if (!lx_arg_numx(a, "value", &v)) return NULL;
    const unit_t *from = find(a, "from");
    if (!from) return NULL;
    const unit_t *to = find(a, "to");
    if (!to) return NULL;
    if (strcmp(from->group, to->group) != 0) return jv_null(cx);
    double si = (v + from->offset) * from->to_si;
    return jv_float(cx, si / to->to_si - to->offset);
}
static jv *op_unit_info(lx_ctx *cx, const jv *a) {
    const unit_t *u = find(a, "unit");
    if (!u) return NULL;
    jv *o = jv_obj(cx);
    jv_set(cx, o, "id", jv_str(cx, u->id));
    jv_set(cx, o, "group", jv_str(cx, u->group));
    jv_set(cx, o, "to_si", jv_float(cx, u->to_si));
    jv_set(cx, o, "offset", jv_float(cx, u->offset));
    return o;
}
static jv *op_list_units(lx_ctx *cx, const jv *a) {
    const char *g = NULL; size_t gn = 0;
    int has = jv_as_str(jv_get(a, "group"), &g, &gn); /* absent or not a string: every unit */
    jv *arr = jv_arr(cx);
    for (size_t i = 0; i < N_UNITS; i++)
        if (!has || lx_eq(g, gn, UNITS[i].group)) jv_push(cx, arr, jv_str(cx, UNITS[i].id));
    return arr;
}

static const lx_op OPS[] = {
    {"convert", op_convert, {"value", "from", "to"}},
    {"unit_info", op_unit_info, {"unit"}},
    {"list_units", op_list_units, {"group"}},
};

LARQL_EXPERT("unit", 1, "Unit conversion: length, mass, temperature, volume, speed, energy", "0.2.0", OPS)
