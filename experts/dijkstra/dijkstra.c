/* dijkstra — larql's weighted-graph expert (Polymath C port). See README.md. */
#include "larql_expert.h"
#include "../common/graph_parse.h"

typedef struct { size_t from, to; uint64_t w; } edge;
typedef struct { gnodes nodes; edge *e; size_t ne; } graph;
#define NONE ((size_t)-1)
static const uint64_t INF = UINT64_MAX / 2;

/* Undirected: every row adds both directions. Weight: a JSON non-negative integer, anything else (missing, float,
 * negative, non-number) becomes 1. The graph is parsed before the op is chosen. */
static int parse_graph(lx_ctx *cx, const jv *a, graph *g) {
    const jv *arr = jv_get(a, "edges");
    if (!jv_is_arr(arr)) return 0;
    memset(g, 0, sizeof *g);
    size_t n = jv_len(arr);
    g->e = (edge *)lx_alloc(cx, (2 * n + 1) * sizeof(edge));
    for (size_t i = 0; i < n; i++) {
        const jv *row = jv_at(arr, i);
        const char *sa, *sb; size_t la, lb;
        if (!g_row(row, &sa, &la, &sb, &lb)) return 0;
        uint64_t w;
        if (!jv_as_u64(jv_at(row, 2), &w)) w = 1;
        size_t x = g_node(cx, &g->nodes, sa, la), y = g_node(cx, &g->nodes, sb, lb);
        g->e[g->ne].from = x; g->e[g->ne].to = y; g->e[g->ne].w = w; g->ne++;
        g->e[g->ne].from = y; g->e[g->ne].to = x; g->e[g->ne].w = w; g->ne++;
    }
    return 1;
}
static size_t idx(const graph *g, const jv *a, const char *key) {
    const char *s; size_t n;
    if (!lx_arg_str(a, key, &s, &n)) return NONE;
    return g_find(&g->nodes, s, n);
}
static jv *path_json(lx_ctx *cx, const graph *g, const size_t *prev, size_t target) {
    size_t len = 0;
    for (size_t c = target; c != NONE; c = prev[c]) len++;
    size_t *p = (size_t *)lx_alloc(cx, len * sizeof(size_t));
    size_t k = len;
    for (size_t c = target; c != NONE; c = prev[c]) p[--k] = c;
    jv *arr = jv_arr(cx);
    for (size_t i = 0; i < len; i++) jv_push(cx, arr, g_name_json(cx, &g->nodes, p[i]));
    return arr;
}
static jv *op_shortest_path(lx_ctx *cx, const jv *a) {
    graph g;
    if (!parse_graph(cx, a, &g)) return NULL;
    size_t s = idx(&g, a, "from"), t;
    if (s == NONE) return NULL;
    if ((t = idx(&g, a, "to")) == NONE) return NULL;
    size_t n = g.nodes.n;
    uint64_t *dist = (uint64_t *)lx_alloc(cx, n * sizeof(uint64_t));
    size_t *prev = (size_t *)lx_alloc(cx, n * sizeof(size_t));
    unsigned char *vis = (unsigned char *)lx_calloc(cx, n, 1);
    for (size_t i = 0; i < n; i++) { dist[i] = INF; prev[i] = NONE; }
    dist[s] = 0;
    for (size_t it = 0; it < n; it++) {
        size_t u = NONE;
        for (size_t i = 0; i < n; i++) if (!vis[i] && (u == NONE || dist[i] < dist[u])) u = i; /* first minimum */
        if (u == NONE || dist[u] == INF) break;
        vis[u] = 1;
        for (size_t k = 0; k < g.ne; k++) {
            const edge *e = &g.e[k];
            if (e->from != u || vis[e->to]) continue;
            uint64_t alt = dist[u] > UINT64_MAX - e->w ? UINT64_MAX : dist[u] + e->w; /* saturating_add */
            if (alt < dist[e->to]) { dist[e->to] = alt; prev[e->to] = u; }
        }
    }
    if (dist[t] == INF) return jv_null(cx);
    jv *o = jv_obj(cx);
    jv_set(cx, o, "distance", jv_uint(cx, dist[t]));
    jv_set(cx, o, "path", path_json(cx, &g, prev, t));
    return o;
}
static jv *op_reachable(lx_ctx *cx, const jv *a) {
    graph g;
    if (!parse_graph(cx, a, &g)) return NULL;
    size_t s = idx(&g, a, "from"), t;
    if (s == NONE) return NULL;
    if ((t = idx(&g, a, "to")) == NONE) return NULL;
    size_t n = g.nodes.n;
    unsigned char *vis = (unsigned char *)lx_calloc(cx, n, 1);
    size_t *prev = (size_t *)lx_alloc(cx, n * sizeof(size_t)), *q = (size_t *)lx_alloc(cx, n * sizeof(size_t));
    for (size_t i = 0; i < n; i++) prev[i] = NONE;
    size_t qh = 0, qt = 0;
    q[qt++] = s; vis[s] = 1;
    jv *o = jv_obj(cx);
    while (qh < qt) {
        size_t u = q[qh++];
        if (u == t) {
            jv_set(cx, o, "reachable", jv_bool(cx, 1));
            jv_set(cx, o, "path", path_json(cx, &g, prev, t));
            return o;
        }
        for (size_t k = 0; k < g.ne; k++) {
            const edge *e = &g.e[k];
            if (e->from == u && !vis[e->to]) { vis[e->to] = 1; prev[e->to] = u; q[qt++] = e->to; }
        }
    }
    jv_set(cx, o, "reachable", jv_bool(cx, 0));
    jv_set(cx, o, "path", jv_null(cx));
    return o;
}
static int cmp_w(const void *x, const void *y, void *u) {
    (void)u;
    uint64_t a = ((const edge *)x)->w, b = ((const edge *)y)->w;
    return a < b ? -1 : (a > b ? 1 : 0);
}
static size_t uf_find(size_t *parent, size_t x) {
    size_t r = x;
    while (parent[r] != r) r = parent[r];
    while (parent[x] != r) { size_t nx = parent[x]; parent[x] = r; x = nx; }
    return r;
}
static jv *op_mst(lx_ctx *cx, const jv *a) {
    graph g;
    if (!parse_graph(cx, a, &g)) return NULL;
    size_t n = g.nodes.n, nu = 0;
    edge *u = (edge *)lx_alloc(cx, (g.ne + 1) * sizeof(edge));
    for (size_t k = 0; k < g.ne; k++) if (g.e[k].from < g.e[k].to) u[nu++] = g.e[k]; /* one direction; self-loops dropped */
    /* larql uses sort_unstable_by_key, which is an insertion sort (stable) for small inputs; ties keep input order here */
    lx_sort(cx, u, nu, sizeof(edge), cmp_w, NULL);
    size_t *parent = (size_t *)lx_alloc(cx, (n + 1) * sizeof(size_t));
    unsigned char *rank = (unsigned char *)lx_calloc(cx, n + 1, 1);
    for (size_t i = 0; i < n; i++) parent[i] = i;
    uint64_t weight = 0;
    jv *edges = jv_arr(cx);
    for (size_t k = 0; k < nu; k++) {
        size_t rx = uf_find(parent, u[k].from), ry = uf_find(parent, u[k].to);
        if (rx == ry) continue;
        if (rank[rx] < rank[ry]) parent[rx] = ry;
        else if (rank[rx] > rank[ry]) parent[ry] = rx;
        else { parent[ry] = rx; rank[rx]++; }
        weight += u[k].w; /* wraps like larql's release build */
        jv *e = jv_arr(cx);
        jv_push(cx, e, g_name_json(cx, &g.nodes, u[k].from));
        jv_push(cx, e, g_name_json(cx, &g.nodes, u[k].to));
        jv_push(cx, e, jv_uint(cx, u[k].w));
        jv_push(cx, edges, e);
    }
    jv *o = jv_obj(cx);
    jv_set(cx, o, "weight", jv_uint(cx, weight));
    jv_set(cx, o, "edges", edges);
    return o;
}

static const lx_op OPS[] = {
    {"shortest_path", op_shortest_path, {"edges", "from", "to"}},
    {"reachable", op_reachable, {"edges", "from", "to"}},
    {"mst", op_mst, {"edges"}},
};

LARQL_EXPERT("dijkstra", 1, "Graph algorithms: shortest path, reachability, minimum spanning tree", "0.2.0", OPS)
