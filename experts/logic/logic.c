/* logic — larql's propositional-logic expert (Polymath C port). See README.md. */
#include "larql_expert.h"
#include "../common/unicode.h"

typedef enum { T_VAR, T_AND, T_OR, T_NOT, T_IMP, T_IFF, T_LP, T_RP, T_TRUE, T_FALSE } tok_kind;
typedef struct { tok_kind k; uint32_t var; } tok;
typedef enum { E_VAR, E_CONST, E_NOT, E_AND, E_OR, E_IMP, E_IFF } ex_kind;
typedef struct ex { ex_kind k; uint32_t var; int val; struct ex *a, *b; } ex;
typedef struct { lx_ctx *cx; tok *t; size_t n, pos; int depth; } parser;

#define MAX_DEPTH 4096 /* deeper nesting declines (larql would eventually overflow its stack) */

static tok *tokenize(lx_ctx *cx, const char *s, size_t sn, size_t *count) {
    lx_buf up; lx_buf_init(&up, cx);
    u_str_upper(cx, &up, s, sn);
    size_t n;
    uint32_t *c = u_chars(cx, up.p ? up.p : "", up.len, &n);
    tok *out = (tok *)lx_alloc(cx, (n + 1) * sizeof(tok));
    size_t k = 0, i = 0;
    static const struct { const char *w; size_t len; tok_kind k; } KW[] = {
        {"AND", 3, T_AND}, {"OR", 2, T_OR}, {"NOT", 3, T_NOT}, {"IMPLIES", 7, T_IMP},
        {"IFF", 3, T_IFF}, {"TRUE", 4, T_TRUE}, {"FALSE", 5, T_FALSE}};
    while (i < n) {
        uint32_t ch = c[i];
        tok t = { T_VAR, 0 };
        switch (ch) {
        case ' ': case '\t': case '\n': i++; continue;
        case '(': t.k = T_LP; break;
        case ')': t.k = T_RP; break;
        case 0xAC: case '~': case '!': t.k = T_NOT; break;
        case 0x2227: case '&': t.k = T_AND; break;
        case 0x2228: case '|': t.k = T_OR; break;
        case 0x2192: t.k = T_IMP; break;
        case 0x2194: t.k = T_IFF; break;
        default:
            if (ch >= 'A' && ch <= 'Z') {
                int matched = 0;
                for (size_t q = 0; q < sizeof KW / sizeof KW[0] && !matched; q++) {
                    size_t L = KW[q].len, j = 0;
                    while (j < L && i + j < n && c[i + j] == (uint32_t)(unsigned char)KW[q].w[j]) j++;
                    if (j < L) continue;
                    if (i + L < n && u_is_alphabetic(c[i + L])) continue; /* keyword must end at a non-letter */
                    out[k].k = KW[q].k; out[k].var = 0; k++;
                    i += L;
                    matched = 1;
                }
                if (matched) continue;
                t.k = T_VAR; t.var = ch;
                break;
            }
            i++; /* unknown characters are skipped */
            continue;
        }
        out[k++] = t;
        i++;
    }
    *count = k;
    return out;
}

static ex *mkex(lx_ctx *cx, ex_kind k, ex *a, ex *b) { ex *e = (ex *)lx_calloc(cx, 1, sizeof(ex)); e->k = k; e->a = a; e->b = b; return e; }
static int peek(parser *p, tok_kind k) { return p->pos < p->n && p->t[p->pos].k == k; }
static ex *p_iff(parser *p);
static ex *p_atom(parser *p) {
    if (p->pos >= p->n) return NULL;
    tok t = p->t[p->pos];
    switch (t.k) {
    case T_LP: {
        p->pos++;
        if (++p->depth > MAX_DEPTH) return NULL;
        ex *e = p_iff(p);
        p->depth--;
        if (!e) return NULL;
        if (peek(p, T_RP)) p->pos++; /* a missing ')' is tolerated */
        return e;
    }
    case T_VAR: { p->pos++; ex *e = mkex(p->cx, E_VAR, NULL, NULL); e->var = t.var; return e; }
    case T_TRUE: { p->pos++; ex *e = mkex(p->cx, E_CONST, NULL, NULL); e->val = 1; return e; }
    case T_FALSE: { p->pos++; ex *e = mkex(p->cx, E_CONST, NULL, NULL); e->val = 0; return e; }
    default: return NULL;
    }
}
static ex *p_not(parser *p) {
    if (peek(p, T_NOT)) {
        p->pos++;
        if (++p->depth > MAX_DEPTH) return NULL;
        ex *e = p_not(p);
        p->depth--;
        return e ? mkex(p->cx, E_NOT, e, NULL) : NULL;
    }
    return p_atom(p);
}
#define BINARY(name, next, tk, ek)                        \
    static ex *name(parser *p) {                          \
        ex *lhs = next(p);                                \
        if (!lhs) return NULL;                            \
        while (peek(p, tk)) {                             \
            p->pos++;                                     \
            ex *rhs = next(p);                            \
            if (!rhs) return NULL;                        \
            lhs = mkex(p->cx, ek, lhs, rhs);              \
        }                                                 \
        return lhs;                                       \
    }
BINARY(p_and, p_not, T_AND, E_AND)
BINARY(p_or, p_and, T_OR, E_OR)
BINARY(p_imp, p_or, T_IMP, E_IMP)
BINARY(p_iff, p_imp, T_IFF, E_IFF)

typedef struct { uint32_t var; int val; } binding;
static int eval(const ex *e, const binding *b, size_t nb) {
    switch (e->k) {
    case E_VAR: for (size_t i = 0; i < nb; i++) if (b[i].var == e->var) return b[i].val; return 0;
    case E_CONST: return e->val;
    case E_NOT: return !eval(e->a, b, nb);
    case E_AND: return eval(e->a, b, nb) && eval(e->b, b, nb);
    case E_OR: return eval(e->a, b, nb) || eval(e->b, b, nb);
    case E_IMP: return !eval(e->a, b, nb) || eval(e->b, b, nb);
    default: return eval(e->a, b, nb) == eval(e->b, b, nb);
    }
}
static void collect(const ex *e, int seen[26]) {
    switch (e->k) {
    case E_VAR: seen[e->var - 'A'] = 1; break;
    case E_CONST: break;
    case E_NOT: collect(e->a, seen); break;
    default: collect(e->a, seen); collect(e->b, seen);
    }
}
/* sorted, de-duplicated variables (always A..Z: the tokenizer only makes variables of uppercase ASCII) */
static size_t vars(const ex *e, uint32_t out[26]) {
    int seen[26] = {0};
    collect(e, seen);
    size_t n = 0;
    for (int i = 0; i < 26; i++) if (seen[i]) out[n++] = (uint32_t)('A' + i);
    return n;
}
static ex *simplify(lx_ctx *cx, const ex *e) {
    switch (e->k) {
    case E_NOT: {
        ex *s = simplify(cx, e->a);
        if (s->k == E_CONST) { ex *c = mkex(cx, E_CONST, NULL, NULL); c->val = !s->val; return c; }
        if (s->k == E_NOT) return s->a;
        return mkex(cx, E_NOT, s, NULL);
    }
    case E_AND: {
        ex *sa = simplify(cx, e->a), *sb = simplify(cx, e->b);
        if ((sa->k == E_CONST && !sa->val) || (sb->k == E_CONST && !sb->val)) { ex *c = mkex(cx, E_CONST, NULL, NULL); c->val = 0; return c; }
        if (sa->k == E_CONST && sa->val) return sb;
        if (sb->k == E_CONST && sb->val) return sa;
        return mkex(cx, E_AND, sa, sb);
    }
    case E_OR: {
        ex *sa = simplify(cx, e->a), *sb = simplify(cx, e->b);
        if ((sa->k == E_CONST && sa->val) || (sb->k == E_CONST && sb->val)) { ex *c = mkex(cx, E_CONST, NULL, NULL); c->val = 1; return c; }
        if (sa->k == E_CONST && !sa->val) return sb;
        if (sb->k == E_CONST && !sb->val) return sa;
        return mkex(cx, E_OR, sa, sb);
    }
    case E_IMP: return mkex(cx, E_IMP, simplify(cx, e->a), simplify(cx, e->b));
    case E_IFF: return mkex(cx, E_IFF, simplify(cx, e->a), simplify(cx, e->b));
    default: return (ex *)e;
    }
}
static void render(lx_buf *b, const ex *e) {
    switch (e->k) {
    case E_VAR: lx_buf_putcp(b, e->var); break;
    case E_CONST: lx_buf_puts(b, e->val ? "TRUE" : "FALSE"); break;
    case E_NOT: lx_buf_puts(b, "NOT "); render(b, e->a); break;
    default: {
        const char *op = e->k == E_AND ? " AND " : e->k == E_OR ? " OR " : e->k == E_IMP ? " \xE2\x86\x92 " : " \xE2\x86\x94 ";
        lx_buf_putc(b, '(');
        render(b, e->a);
        lx_buf_puts(b, op);
        render(b, e->b);
        lx_buf_putc(b, ')');
    }
    }
}

/* The expression is parsed before the op is chosen; a parse failure declines. */
static ex *parse_expr(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "expr", &s, &n)) return NULL;
    parser p = { cx, NULL, 0, 0, 0 };
    p.t = tokenize(cx, s, n, &p.n);
    return p_iff(&p);
}
static binding *row_binding(lx_ctx *cx, const uint32_t *v, size_t nv, size_t row) {
    binding *b = (binding *)lx_alloc(cx, (nv ? nv : 1) * sizeof(binding));
    for (size_t i = 0; i < nv; i++) { b[i].var = v[i]; b[i].val = (int)((row >> (nv - 1 - i)) & 1); }
    return b;
}
static int cmp_member(const void *x, const void *y, void *u) {
    (void)u;
    const jv_member *a = (const jv_member *)x, *b = (const jv_member *)y;
    return lx_keycmp(a->key, a->klen, b->key, b->klen);
}

static jv *op_eval(lx_ctx *cx, const jv *a) {
    ex *e = parse_expr(cx, a);
    if (!e) return NULL;
    const jv *as = jv_get(a, "assignments");
    if (!jv_is_obj(as)) return NULL;
    /* serde_json's Map is a BTreeMap: iterate keys in byte order, the last duplicate wins */
    size_t m = as->v.o.len;
    jv_member *mem = (jv_member *)lx_alloc(cx, (m ? m : 1) * sizeof(jv_member));
    if (m) memcpy(mem, as->v.o.m, m * sizeof(jv_member));
    lx_sort(cx, mem, m, sizeof(jv_member), cmp_member, NULL);
    binding *b = (binding *)lx_alloc(cx, (m ? m : 1) * sizeof(binding));
    size_t nb = 0;
    for (size_t i = 0; i < m; i++) {
        if (i + 1 < m && cmp_member(&mem[i], &mem[i + 1], NULL) == 0) continue; /* a later duplicate wins */
        int v;
        if (mem[i].klen == 0 || !jv_as_bool(mem[i].val, &v)) continue;
        size_t l;
        b[nb].var = lx_utf8_next(mem[i].key, mem[i].klen, &l);
        b[nb].val = v;
        nb++;
    }
    return jv_bool(cx, eval(e, b, nb));
}
static jv *op_simplify(lx_ctx *cx, const jv *a) {
    ex *e = parse_expr(cx, a);
    if (!e) return NULL;
    lx_buf b; lx_buf_init(&b, cx);
    render(&b, simplify(cx, e));
    return lx_buf_jv(&b);
}
static jv *op_truth_table(lx_ctx *cx, const jv *a) {
    ex *e = parse_expr(cx, a);
    if (!e) return NULL;
    uint32_t v[26];
    size_t nv = vars(e, v);
    jv *rows = jv_arr(cx);
    for (size_t row = 0; row < ((size_t)1 << nv); row++) {
        binding *b = row_binding(cx, v, nv, row);
        jv *in = jv_arr(cx);
        for (size_t i = 0; i < nv; i++) jv_push(cx, in, jv_bool(cx, b[i].val));
        jv *r = jv_obj(cx);
        jv_set(cx, r, "inputs", in);
        jv_set(cx, r, "output", jv_bool(cx, eval(e, b, nv)));
        jv_push(cx, rows, r);
    }
    jv *vs = jv_arr(cx);
    for (size_t i = 0; i < nv; i++) { char c = (char)v[i]; jv_push(cx, vs, jv_strn(cx, &c, 1)); }
    jv *o = jv_obj(cx);
    jv_set(cx, o, "vars", vs);
    jv_set(cx, o, "rows", rows);
    return o;
}
static jv *op_classify(lx_ctx *cx, const jv *a) {
    ex *e = parse_expr(cx, a);
    if (!e) return NULL;
    uint32_t v[26];
    size_t nv = vars(e, v);
    int all_true = 1, all_false = 1;
    binding b[26];
    for (size_t row = 0; row < ((size_t)1 << nv); row++) {
        for (size_t i = 0; i < nv; i++) { b[i].var = v[i]; b[i].val = (int)((row >> (nv - 1 - i)) & 1); }
        int r = eval(e, b, nv);
        if (!r) all_true = 0; else all_false = 0;
    }
    return jv_str(cx, all_true ? "tautology" : all_false ? "contradiction" : "contingent");
}

static const lx_op OPS[] = {
    {"eval", op_eval, {"expr", "assignments"}},
    {"simplify", op_simplify, {"expr"}},
    {"truth_table", op_truth_table, {"expr"}},
    {"classify", op_classify, {"expr"}},
};

LARQL_EXPERT("logic", 1, "Propositional logic: eval, simplify, truth table, classify (tautology/contradiction/contingent)", "0.2.0", OPS)
