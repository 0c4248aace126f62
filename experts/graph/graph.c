/* graph — larql's unweighted-graph expert (Polymath C port). See README.md.
 * DFS is iterative here (larql recurses; a very deep graph can overflow its stack — see README). */
#include "larql_expert.h"
#include "../common/graph_parse.h"

typedef struct { size_t *v; size_t n, cap; } list;
typedef struct { gnodes nodes; list *adj, *dadj; size_t cap; } graph;

static void push(lx_ctx *cx, list *l, size_t x) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4;
        size_t *nv = (size_t *)lx_alloc(cx, nc * sizeof(size_t));
        if (l->n) memcpy(nv, l->v, l->n * sizeof(size_t));
        l->v = nv; l->cap = nc;
    }
    l->v[l->n++] = x;
}
static int contains(const list *l, size_t x) { for (size_t i = 0; i < l->n; i++) if (l->v[i] == x) return 1; return 0; }
static size_t node(lx_ctx *cx, graph *g, const char *p, size_t n) {
    size_t before = g->nodes.n, i = g_node(cx, &g->nodes, p, n);
    if (g->nodes.n != before && g->nodes.n > g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16;
        list *na = (list *)lx_calloc(cx, nc, sizeof(list)), *nd = (list *)lx_calloc(cx, nc, sizeof(list));
        if (g->cap) { memcpy(na, g->adj, g->cap * sizeof(list)); memcpy(nd, g->dadj, g->cap * sizeof(list)); }
        g->adj = na; g->dadj = nd; g->cap = nc;
    }
    return i;
}
/* `directed` (bool, default false) is read first, then the edges; duplicate edges are de-duplicated. */
static int parse_graph(lx_ctx *cx, const jv *a, graph *g, int *directed) {
    if (!lx_arg_bool(a, "directed", directed)) *directed = 0;
    const jv *arr = jv_get(a, "edges");
    if (!jv_is_arr(arr)) return 0;
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < jv_len(arr); i++) {
        const char *sa, *sb; size_t la, lb;
        if (!g_row(jv_at(arr, i), &sa, &la, &sb, &lb)) return 0;
        size_t x = node(cx, g, sa, la), y = node(cx, g, sb, lb);
        if (!contains(&g->adj[x], y)) push(cx, &g->adj[x], y);
        if (!contains(&g->adj[y], x)) push(cx, &g->adj[y], x);
        if (*directed && !contains(&g->dadj[x], y)) push(cx, &g->dadj[x], y);
    }
    return 1;
}

static jv *op_most_central(lx_ctx *cx, const jv *a) {
    graph g; int d;
    if (!parse_graph(cx, a, &g, &d)) return NULL;
    if (g.nodes.n == 0) return NULL;
    size_t best = 0;
    for (size_t i = 1; i < g.nodes.n; i++) if (g.adj[i].n >= g.adj[best].n) best = i; /* max_by_key: last maximum */
    jv *o = jv_obj(cx);
    jv_set(cx, o, "node", g_name_json(cx, &g.nodes, best));
    jv_set(cx, o, "degree", jv_uint(cx, g.adj[best].n));
    return o;
}
#define NONE ((size_t)-1)
typedef struct { size_t u, parent, next; } frame;
static int has_cycle_undirected(lx_ctx *cx, const graph *g) {
    size_t n = g->nodes.n;
    unsigned char *vis = (unsigned char *)lx_calloc(cx, n + 1, 1);
    frame *st = (frame *)lx_alloc(cx, (n + 1) * sizeof(frame));
    for (size_t s = 0; s < n; s++) {
        if (vis[s]) continue;
        size_t sp = 0;
        st[sp].u = s; st[sp].parent = NONE; st[sp].next = 0; sp++;
        vis[s] = 1;
        while (sp) {
            frame *f = &st[sp - 1];
            if (f->next == g->adj[f->u].n) { sp--; continue; }
            size_t v = g->adj[f->u].v[f->next++];
            if (!vis[v]) { vis[v] = 1; st[sp].u = v; st[sp].parent = f->u; st[sp].next = 0; sp++; }
            else if (v != f->parent) return 1;
        }
    }
    return 0;
}
static int has_cycle_directed(lx_ctx *cx, const graph *g) {
    size_t n = g->nodes.n;
    unsigned char *state = (unsigned char *)lx_calloc(cx, n + 1, 1);
    frame *st = (frame *)lx_alloc(cx, (n + 1) * sizeof(frame));
    for (size_t s = 0; s < n; s++) {
        if (state[s]) continue;
        size_t sp = 0;
        st[sp].u = s; st[sp].next = 0; sp++;
        state[s] = 1;
        while (sp) {
            frame *f = &st[sp - 1];
            if (f->next == g->dadj[f->u].n) { state[f->u] = 2; sp--; continue; }
            size_t v = g->dadj[f->u].v[f->next++];
            if (state[v] == 1) return 1;
            if (state[v] == 0) { state[v] = 1; st[sp].u = v; st[sp].next = 0; sp++; }
        }
    }
    return 0;
}
static jv *op_has_cycle(lx_ctx *cx, const jv *a) {
    graph g; int d;
    if (!parse_graph(cx, a, &g, &d)) return NULL;
    return jv_bool(cx, d ? has_cycle_directed(cx, &g) : has_cycle_undirected(cx, &g));
}
static size_t find_root(size_t *p, size_t x) {
    size_t r = x;
    while (p[r] != r) r = p[r];
    while (p[x] != r) { size_t nx = p[x]; p[x] = r; x = nx; }
    return r;
}
static jv *op_connected_components(lx_ctx *cx, const jv *a) {
    graph g; int d;
    if (!parse_graph(cx, a, &g, &d)) return NULL;
    size_t n = g.nodes.n, count = 0;
    size_t *p = (size_t *)lx_alloc(cx, (n + 1) * sizeof(size_t));
    for (size_t i = 0; i < n; i++) p[i] = i;
    for (size_t u = 0; u < n; u++)
        for (size_t k = 0; k < g.adj[u].n; k++) {
            size_t ru = find_root(p, u), rv = find_root(p, g.adj[u].v[k]);
            if (ru != rv) p[ru] = rv;
        }
    for (size_t i = 0; i < n; i++) count += find_root(p, i) == i;
    return jv_uint(cx, count);
}
static jv *op_topological_sort(lx_ctx *cx, const jv *a) {
    graph g; int d;
    if (!parse_graph(cx, a, &g, &d)) return NULL;
    size_t n = g.nodes.n;
    size_t *indeg = (size_t *)lx_calloc(cx, n + 1, sizeof(size_t)), *q = (size_t *)lx_alloc(cx, (n + 1) * sizeof(size_t));
    for (size_t u = 0; u < n; u++) for (size_t k = 0; k < g.dadj[u].n; k++) indeg[g.dadj[u].v[k]]++;
    size_t qh = 0, qt = 0;
    for (size_t i = 0; i < n; i++) if (indeg[i] == 0) q[qt++] = i;
    jv *order = jv_arr(cx);
    while (qh < qt) {
        size_t u = q[qh++];
        jv_push(cx, order, g_name_json(cx, &g.nodes, u));
        for (size_t k = 0; k < g.dadj[u].n; k++) if (--indeg[g.dadj[u].v[k]] == 0) q[qt++] = g.dadj[u].v[k];
    }
    return jv_len(order) == n ? order : jv_null(cx); /* a cycle ⇒ null */
}
static jv *op_is_bipartite(lx_ctx *cx, const jv *a) {
    graph g; int d;
    if (!parse_graph(cx, a, &g, &d)) return NULL;
    size_t n = g.nodes.n;
    unsigned char *color = (unsigned char *)lx_alloc(cx, n + 1);
    size_t *q = (size_t *)lx_alloc(cx, (n + 1) * sizeof(size_t));
    memset(color, 255, n + 1);
    for (size_t s = 0; s < n; s++) {
        if (color[s] != 255) continue;
        color[s] = 0;
        size_t qh = 0, qt = 0;
        q[qt++] = s;
        while (qh < qt) {
            size_t u = q[qh++];
            for (size_t k = 0; k < g.adj[u].n; k++) {
                size_t v = g.adj[u].v[k];
                if (color[v] == 255) { color[v] = (unsigned char)(1 - color[u]); q[qt++] = v; }
                else if (color[v] == color[u]) return jv_bool(cx, 0);
            }
        }
    }
    return jv_bool(cx, 1);
}
static jv *op_degrees(lx_ctx *cx, const jv *a) {
    graph g; int d;
    if (!parse_graph(cx, a, &g, &d)) return NULL;
    jv *arr = jv_arr(cx);
    for (size_t i = 0; i < g.nodes.n; i++) {
        jv *o = jv_obj(cx);
        jv_set(cx, o, "node", g_name_json(cx, &g.nodes, i));
        jv_set(cx, o, "degree", jv_uint(cx, g.adj[i].n));
        jv_push(cx, arr, o);
    }
    return arr;
}

static const lx_op OPS[] = {
    {"most_central", op_most_central, {"edges", "directed"}},
    {"has_cycle", op_has_cycle, {"edges", "directed"}},
    {"connected_components", op_connected_components, {"edges"}},
    {"topological_sort", op_topological_sort, {"edges", "directed"}},
    {"is_bipartite", op_is_bipartite, {"edges"}},
    {"degrees", op_degrees, {"edges"}},
};

LARQL_EXPERT("graph", 1, "Graph algorithms: centrality, cycle detection, components, topological sort, bipartite", "0.2.0", OPS)
