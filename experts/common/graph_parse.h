/* Shared edge-list parsing for the dijkstra and graph experts: `edges` is an array of [from: str, to: str, …];
 * a row with fewer than 2 items or non-string names ⇒ the call declines. Nodes are numbered in first-appearance
 * order (linear lookup, as in larql). */
#ifndef POLYMATH_EXPERTS_GRAPH_PARSE_H
#define POLYMATH_EXPERTS_GRAPH_PARSE_H
#include "larql_expert.h"

typedef struct { const char *p; size_t n; } gname;
typedef struct { gname *names; size_t n, cap; } gnodes;

LX_API size_t g_find(const gnodes *g, const char *p, size_t n) {
    for (size_t i = 0; i < g->n; i++)
        if (g->names[i].n == n && (n == 0 || memcmp(g->names[i].p, p, n) == 0)) return i;
    return (size_t)-1;
}
LX_API size_t g_node(lx_ctx *cx, gnodes *g, const char *p, size_t n) {
    size_t i = g_find(g, p, n);
    if (i != (size_t)-1) return i;
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16;
        gname *nn = (gname *)lx_alloc(cx, nc * sizeof(gname));
        if (g->n) memcpy(nn, g->names, g->n * sizeof(gname));
        g->names = nn; g->cap = nc;
    }
    g->names[g->n].p = p; g->names[g->n].n = n;
    return g->n++;
}
/* Row i of an edge list: 1 and the two endpoint names, or 0 (decline). */
LX_API int g_row(const jv *row, const char **a, size_t *an, const char **b, size_t *bn) {
    if (!jv_is_arr(row) || jv_len(row) < 2) return 0;
    return jv_as_str(jv_at(row, 0), a, an) && jv_as_str(jv_at(row, 1), b, bn);
}
LX_API jv *g_name_json(lx_ctx *cx, const gnodes *g, size_t i) { return jv_str_ref(cx, g->names[i].p, g->names[i].n); }
#endif
