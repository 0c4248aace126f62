/* conway — larql's Game of Life expert (Polymath C port). See README.md. */
#include "larql_expert.h"

typedef struct { size_t rows, cols; unsigned char *c; } grid;

/* non-empty, rectangular, cells JSON non-negative integers (non-zero ⇒ 1) */
static int parse_grid(lx_ctx *cx, const jv *v, grid *g) {
    if (!jv_is_arr(v)) return 0;
    size_t rows = jv_len(v);
    size_t cols = rows ? jv_len(jv_at(v, 0)) : 0;
    for (size_t r = 0; r < rows; r++) if (!jv_is_arr(jv_at(v, r))) return 0;
    g->c = (unsigned char *)lx_alloc(cx, rows * cols + 1);
    for (size_t r = 0; r < rows; r++) {
        const jv *row = jv_at(v, r);
        for (size_t c = 0; c < jv_len(row); c++) {
            uint64_t x;
            if (!jv_as_u64(jv_at(row, c), &x)) return 0;
            if (c < cols) g->c[r * cols + c] = x != 0;
        }
    }
    if (rows == 0) return 0;
    for (size_t r = 0; r < rows; r++) if (jv_len(jv_at(v, r)) != cols) return 0;
    g->rows = rows; g->cols = cols;
    return 1;
}
static void step(lx_ctx *cx, grid *g) {
    unsigned char *n = (unsigned char *)lx_alloc(cx, g->rows * g->cols + 1);
    for (size_t r = 0; r < g->rows; r++)
        for (size_t c = 0; c < g->cols; c++) {
            unsigned k = 0;
            for (int dr = -1; dr <= 1; dr++)
                for (int dc = -1; dc <= 1; dc++) {
                    if (!dr && !dc) continue;
                    if ((dr < 0 && r == 0) || (dc < 0 && c == 0)) continue;
                    size_t nr = r + (size_t)(ptrdiff_t)dr, nc = c + (size_t)(ptrdiff_t)dc;
                    if (nr < g->rows && nc < g->cols) k += g->c[nr * g->cols + nc];
                }
            int alive = g->c[r * g->cols + c] == 1;
            n[r * g->cols + c] = (alive && (k == 2 || k == 3)) || (!alive && k == 3);
        }
    g->c = n;
}
static jv *grid_json(lx_ctx *cx, const grid *g) {
    jv *arr = jv_arr(cx);
    for (size_t r = 0; r < g->rows; r++) {
        jv *row = jv_arr(cx);
        for (size_t c = 0; c < g->cols; c++) jv_push(cx, row, jv_uint(cx, g->c[r * g->cols + c]));
        jv_push(cx, arr, row);
    }
    return arr;
}
static jv *op_step(lx_ctx *cx, const jv *a) {
    grid g;
    if (!parse_grid(cx, jv_get(a, "grid"), &g)) return NULL;
    step(cx, &g);
    return grid_json(cx, &g);
}
static jv *op_simulate(lx_ctx *cx, const jv *a) {
    grid g;
    if (!parse_grid(cx, jv_get(a, "grid"), &g)) return NULL;
    uint64_t gens64;
    if (!lx_arg_uintx(a, "generations", &gens64)) return NULL;
    uint32_t gens = (uint32_t)gens64; /* `as u32`, no cap */
    /* two buffers are enough: reuse instead of allocating per generation */
    unsigned char *buf[2] = { g.c, (unsigned char *)lx_alloc(cx, g.rows * g.cols + 1) };
    for (uint32_t i = 0; i < gens; i++) {
        lx_ctx tmp = { NULL };
        step(&tmp, &g);
        memcpy(buf[(i + 1) & 1], g.c, g.rows * g.cols);
        lx_release(&tmp);
        g.c = buf[(i + 1) & 1];
    }
    uint64_t live = 0;
    for (size_t i = 0; i < g.rows * g.cols; i++) live += g.c[i] == 1;
    jv *o = jv_obj(cx);
    jv_set(cx, o, "grid", grid_json(cx, &g));
    jv_set(cx, o, "live", jv_uint(cx, live));
    jv_set(cx, o, "generations", jv_uint(cx, gens));
    return o;
}

static const lx_op OPS[] = {
    {"step", op_step, {"grid"}},
    {"simulate", op_simulate, {"grid", "generations"}},
};

LARQL_EXPERT("conway", 1, "Conway's Game of Life: single step, N-generation simulation", "0.2.0", OPS)
