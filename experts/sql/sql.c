/* sql — larql's in-memory SQL evaluator (Polymath C port). See README.md.
 * Mirrors larql's string handling: keyword positions are found in the Unicode-uppercased text and used to
 * slice the original text. Where larql would panic (a slice outside the text or inside a character, e.g.
 * `SELECT FROM t`), this port marks the call as failed and declines. */
#include "larql_expert.h"
#include "../common/unicode.h"

typedef struct { const char *p; size_t n; } sv;
typedef enum { C_NUM, C_STR, C_NULL } cell_kind;
typedef struct { cell_kind k; double num; sv str; } cell;
typedef struct { sv name; sv *cols; size_t ncols; cell **rows; size_t nrows, caprows; } table;
typedef struct { lx_ctx *cx; int panic; table *tables; size_t ntables, captables; } S;

static sv mk(const char *p, size_t n) { sv s = { p, n }; return s; }
static int boundary(sv s, size_t i) { return i == s.n || (i < s.n && ((unsigned char)s.p[i] & 0xC0) != 0x80); }
/* &s[a..b]; a panic in larql */
static sv sub(S *st, sv s, size_t a, size_t b) {
    if (a > b || b > s.n || !boundary(s, a) || !boundary(s, b)) { st->panic = 1; return mk("", 0); }
    return mk(s.p + a, b - a);
}
static sv from(S *st, sv s, size_t a) { return sub(st, s, a, s.n); }
static sv trim(sv s) { lx_trim(&s.p, &s.n); return s; }
static sv upper(S *st, sv s) { lx_buf b; lx_buf_init(&b, st->cx); u_str_upper(st->cx, &b, s.p, s.n); return mk(b.p ? b.p : "", b.len); }
static sv lower(S *st, sv s) { lx_buf b; lx_buf_init(&b, st->cx); u_str_lower(st->cx, &b, s.p, s.n); return mk(b.p ? b.p : "", b.len); }
static int eq(sv a, sv b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }
static int eqz(sv a, const char *z) { return eq(a, mk(z, strlen(z))); }
static int ieq_lower(S *st, sv a, sv b) { return eq(lower(st, a), lower(st, b)); }
#define NONE ((size_t)-1)
static size_t find(sv h, const char *needle) {
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= h.n; i++) if (memcmp(h.p + i, needle, nl) == 0) return i;
    return NONE;
}
static size_t findc(sv h, char c) { for (size_t i = 0; i < h.n; i++) if (h.p[i] == c) return i; return NONE; }
static size_t rfindc(sv h, char c) { for (size_t i = h.n; i-- > 0;) if (h.p[i] == c) return i; return NONE; }
static int starts(sv s, const char *z) { size_t l = strlen(z); return s.n >= l && memcmp(s.p, z, l) == 0; }
/* first char that is whitespace or one of extra */
static size_t find_ws_or(sv s, char extra) {
    size_t i = 0, l;
    while (i < s.n) {
        uint32_t c = lx_utf8_next(s.p + i, s.n - i, &l);
        if (lx_is_whitespace(c) || c == (uint32_t)(unsigned char)extra) return i;
        i += l;
    }
    return NONE;
}
/* split_whitespace().next() */
static sv first_word(sv s) {
    size_t i = 0, l;
    while (i < s.n) { uint32_t c = lx_utf8_next(s.p + i, s.n - i, &l); if (!lx_is_whitespace(c)) break; i += l; }
    size_t j = i;
    while (j < s.n) { uint32_t c = lx_utf8_next(s.p + j, s.n - j, &l); if (lx_is_whitespace(c)) break; j += l; }
    return mk(s.p + i, j - i);
}
/* trim_matches(c): strip every leading and trailing c */
static sv trim_matches(sv s, char c) {
    while (s.n && s.p[0] == c) { s.p++; s.n--; }
    while (s.n && s.p[s.n - 1] == c) s.n--;
    return s;
}

static table *find_table(S *st, sv name) {
    for (size_t i = 0; i < st->ntables; i++) if (ieq_lower(st, st->tables[i].name, name)) return &st->tables[i];
    return NULL;
}
static size_t col_idx(S *st, const table *t, sv name) {
    sv l = lower(st, name);
    for (size_t i = 0; i < t->ncols; i++) if (eq(lower(st, t->cols[i]), l)) return i;
    return NONE;
}

static cell parse_value(sv s) {
    cell c = { C_STR, 0, { "", 0 } };
    s = trim(s);
    if (s.n >= 2 && s.p[0] == '\'' && s.p[s.n - 1] == '\'') { c.str = mk(s.p + 1, s.n - 2); return c; }
    if (lx_parse_f64(s.p, s.n, &c.num)) { c.k = C_NUM; return c; }
    if (s.n == 4 && (s.p[0] | 0x20) == 'n' && (s.p[1] | 0x20) == 'u' && (s.p[2] | 0x20) == 'l' && (s.p[3] | 0x20) == 'l') { c.k = C_NULL; return c; }
    c.str = s;
    return c;
}
static int cell_f64(const cell *c, double *out) {
    if (c->k == C_NUM) { *out = c->num; return 1; }
    if (c->k == C_STR) return lx_parse_f64(c->str.p, c->str.n, out);
    return 0;
}
/* integral (within 1e-10 of `as i64`) ⇒ int, else float */
static jv *num_json(lx_ctx *cx, double r) {
    int64_t i = lx_f64_to_i64(r);
    if (fabs(r - (double)i) < 1e-10) return jv_int(cx, i);
    return jv_float(cx, r);
}
static jv *cell_json(lx_ctx *cx, const cell *c) {
    if (c->k == C_NUM) return num_json(cx, c->num);
    if (c->k == C_STR) return jv_strn(cx, c->str.p, c->str.n);
    return jv_null(cx);
}

/* split_csv: quote-aware comma split; inner empty parts kept, a trailing empty part dropped */
static sv *split_csv(S *st, sv s, size_t *count) {
    sv *parts = (sv *)lx_alloc(st->cx, (s.n + 1) * sizeof(sv));
    size_t np = 0, start = 0;
    int in_str = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '\'') in_str = !in_str;
        else if (s.p[i] == ',' && !in_str) { parts[np++] = trim(mk(s.p + start, i - start)); start = i + 1; }
    }
    sv last = trim(mk(s.p + start, s.n - start));
    if (last.n) parts[np++] = last;
    *count = np;
    return parts;
}

static void execute_create(S *st, sv stmt) {
    sv up = upper(st, stmt);
    size_t p = find(up, "TABLE ");
    if (p == NONE) return;
    sv after = from(st, stmt, p + 6);
    if (st->panic) return;
    size_t ps = findc(after, '(');
    if (ps == NONE) return;
    sv name = trim(sub(st, after, 0, ps));
    size_t pe = rfindc(after, ')');
    if (pe == NONE) return;
    sv inner = sub(st, after, ps + 1, pe);
    if (st->panic) return;
    sv *cols = (sv *)lx_alloc(st->cx, (inner.n + 1) * sizeof(sv));
    size_t nc = 0, start = 0;
    for (size_t i = 0; i <= inner.n; i++) {
        if (i == inner.n || inner.p[i] == ',') {
            sv w = first_word(mk(inner.p + start, i - start));
            if (w.n) cols[nc++] = w;
            start = i + 1;
        }
    }
    size_t k = 0; /* retain tables with a different name */
    for (size_t i = 0; i < st->ntables; i++) if (!ieq_lower(st, st->tables[i].name, name)) st->tables[k++] = st->tables[i];
    st->ntables = k;
    if (st->ntables == st->captables) {
        size_t ncap = st->captables ? st->captables * 2 : 4;
        table *nt = (table *)lx_alloc(st->cx, ncap * sizeof(table));
        if (st->ntables) memcpy(nt, st->tables, st->ntables * sizeof(table));
        st->tables = nt; st->captables = ncap;
    }
    table *t = &st->tables[st->ntables++];
    memset(t, 0, sizeof *t);
    t->name = name; t->cols = cols; t->ncols = nc;
}

static void execute_insert(S *st, sv stmt) {
    sv up = upper(st, stmt);
    size_t p = find(up, "INTO ");
    if (p == NONE) return;
    sv after = from(st, stmt, p + 5);
    if (st->panic) return;
    size_t te = find_ws_or(after, '(');
    if (te == NONE) te = after.n;
    table *t = find_table(st, trim(mk(after.p, te)));
    if (!t) return;
    size_t vp = find(upper(st, after), "VALUES");
    if (vp == NONE) return;
    sv av = from(st, after, vp + 6);
    if (st->panic) return;
    size_t s0 = findc(av, '('), e0 = rfindc(av, ')');
    if (s0 == NONE || e0 == NONE) return;
    sv inner = sub(st, av, s0 + 1, e0);
    if (st->panic) return;
    size_t nv;
    sv *parts = split_csv(st, inner, &nv);
    if (nv != t->ncols) return; /* arity mismatch: dropped silently */
    cell *row = (cell *)lx_alloc(st->cx, (nv ? nv : 1) * sizeof(cell));
    for (size_t i = 0; i < nv; i++) row[i] = parse_value(parts[i]);
    if (t->nrows == t->caprows) {
        size_t ncap = t->caprows ? t->caprows * 2 : 8;
        cell **nr = (cell **)lx_alloc(st->cx, ncap * sizeof(cell *));
        if (t->nrows) memcpy(nr, t->rows, t->nrows * sizeof(cell *));
        t->rows = nr; t->caprows = ncap;
    }
    t->rows[t->nrows++] = row;
}

/* Rust's `{}` Display of an f64: shortest round-trip digits, plain decimal, no exponent, no ".0". */
static sv f64_display(S *st, double d) {
    lx_buf b; lx_buf_init(&b, st->cx);
    if (d != d) lx_buf_puts(&b, "NaN");
    else if (isinf(d)) lx_buf_puts(&b, d < 0 ? "-inf" : "inf");
    else {
        if (signbit(d)) { lx_buf_putc(&b, '-'); d = -d; }
        if (d == 0) lx_buf_putc(&b, '0');
        else {
            char dg[24]; int e;
            int len = lx_shortest(d, dg, &e);
            if (e < 0) {
                lx_buf_puts(&b, "0.");
                for (int i = -1; i > e; i--) lx_buf_putc(&b, '0');
                lx_buf_put(&b, dg, (size_t)len);
            } else if (len <= e + 1) {
                lx_buf_put(&b, dg, (size_t)len);
                for (int i = len; i <= e; i++) lx_buf_putc(&b, '0');
            } else {
                lx_buf_put(&b, dg, (size_t)e + 1);
                lx_buf_putc(&b, '.');
                lx_buf_put(&b, dg + e + 1, (size_t)(len - e - 1));
            }
        }
    }
    return mk(b.p ? b.p : "", b.len);
}
static int ieq_ascii(sv a, sv b) {
    if (a.n != b.n) return 0;
    for (size_t i = 0; i < a.n; i++) {
        unsigned x = (unsigned char)a.p[i], y = (unsigned char)b.p[i];
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
    }
    return 1;
}
static int apply_where(S *st, const cell *c, sv op, sv val) {
    double cn, vn;
    if (cell_f64(c, &cn) && lx_parse_f64(val.p, val.n, &vn)) {
        if (eqz(op, "=")) return fabs(cn - vn) < 1e-12;
        if (eqz(op, "!=") || eqz(op, "<>")) return fabs(cn - vn) >= 1e-12;
        if (eqz(op, ">")) return cn > vn;
        if (eqz(op, ">=")) return cn >= vn;
        if (eqz(op, "<")) return cn < vn;
        if (eqz(op, "<=")) return cn <= vn;
        return 0;
    }
    sv cs = c->k == C_STR ? c->str : (c->k == C_NUM ? f64_display(st, c->num) : mk("", 0));
    if (eqz(op, "=")) return ieq_ascii(cs, val);
    if (eqz(op, "!=") || eqz(op, "<>")) return !ieq_ascii(cs, val);
    return 0;
}

typedef struct { size_t ci; int asc; } order_t;
static int cmp_rows(const void *x, const void *y, void *u) {
    const order_t *o = (const order_t *)u;
    const cell *a = *(cell *const *)x, *b = *(cell *const *)y;
    double va, vb;
    int r = 0;
    if (cell_f64(&a[o->ci], &va) && cell_f64(&b[o->ci], &vb)) r = va < vb ? -1 : (va > vb ? 1 : 0);
    return o->asc ? r : -r;
}

static jv *agg_result(lx_ctx *cx, const char *agg, const double *v, size_t n) {
    if (n == 0) return strcmp(agg, "COUNT") == 0 ? jv_int(cx, 0) : jv_null(cx);
    double r, s = -0.0;
    for (size_t i = 0; i < n; i++) s += v[i];
    if (strcmp(agg, "COUNT") == 0) r = (double)n;
    else if (strcmp(agg, "SUM") == 0) r = s;
    else if (strcmp(agg, "AVG") == 0) r = s / (double)n;
    else if (strcmp(agg, "MAX") == 0) { r = -INFINITY; for (size_t i = 0; i < n; i++) r = fmax(r, v[i]); }
    else { r = INFINITY; for (size_t i = 0; i < n; i++) r = fmin(r, v[i]); }
    return num_json(cx, r);
}

static jv *evaluate_select(S *st, sv sel, const table *t, cell **rows, size_t nrows) {
    lx_ctx *cx = st->cx;
    sv up = trim(upper(st, sel));
    if (eqz(up, "COUNT(*)") || eqz(up, "COUNT( * )")) return jv_uint(cx, nrows);
    static const char *const AGG[] = { "COUNT", "SUM", "AVG", "MAX", "MIN" };
    for (int g = 0; g < 5; g++) {
        char pat[8];
        size_t al = strlen(AGG[g]);
        memcpy(pat, AGG[g], al); pat[al] = '('; pat[al + 1] = 0;
        size_t pos = find(up, pat);
        if (pos == NONE) continue;
        sv after = from(st, sel, pos + al + 1);
        if (st->panic) return NULL;
        size_t end = findc(after, ')');
        if (end == NONE) end = after.n;
        sv col = trim_matches(trim(mk(after.p, end)), '*');
        double *vals = (double *)lx_alloc(cx, (nrows ? nrows : 1) * sizeof(double));
        size_t nv = 0;
        if (eqz(col, "*") || g == 0) {
            size_t ci = eqz(col, "*") ? NONE : col_idx(st, t, col);
            for (size_t r = 0; r < nrows; r++) {
                if (ci == NONE) vals[nv++] = 1.0;
                else if (cell_f64(&rows[r][ci], &vals[nv])) nv++;
            }
            return agg_result(cx, AGG[g], vals, nv);
        }
        size_t ci = col_idx(st, t, col);
        if (ci != NONE) {
            for (size_t r = 0; r < nrows; r++) if (cell_f64(&rows[r][ci], &vals[nv])) nv++;
            return agg_result(cx, AGG[g], vals, nv);
        }
    }
    if (eqz(trim(sel), "*")) {
        jv *arr = jv_arr(cx);
        for (size_t r = 0; r < nrows; r++) {
            jv *o = jv_obj(cx);
            for (size_t c = 0; c < t->ncols; c++) jv_setn(cx, o, t->cols[c].p, t->cols[c].n, cell_json(cx, &rows[r][c]));
            jv_push(cx, arr, o);
        }
        return arr;
    }
    /* column list */
    size_t ncols = 1;
    for (size_t i = 0; i < sel.n; i++) ncols += sel.p[i] == ',';
    sv *cols = (sv *)lx_alloc(cx, ncols * sizeof(sv));
    size_t *idx = (size_t *)lx_alloc(cx, ncols * sizeof(size_t));
    size_t nc = 0, ni = 0, start = 0;
    for (size_t i = 0; i <= sel.n; i++) {
        if (i == sel.n || sel.p[i] == ',') {
            cols[nc] = trim(mk(sel.p + start, i - start));
            size_t ci = col_idx(st, t, cols[nc]);
            if (ci != NONE) idx[ni++] = ci;
            nc++;
            start = i + 1;
        }
    }
    if (ni == 0) return NULL;
    if (nc == 1) {
        if (nrows == 1) return cell_json(cx, &rows[0][idx[0]]);
        jv *arr = jv_arr(cx);
        for (size_t r = 0; r < nrows; r++) jv_push(cx, arr, cell_json(cx, &rows[r][idx[0]]));
        return arr;
    }
    jv *arr = jv_arr(cx);
    size_t pairs = nc < ni ? nc : ni; /* zip: keys from the written list, values from the resolved columns */
    for (size_t r = 0; r < nrows; r++) {
        jv *o = jv_obj(cx);
        for (size_t k = 0; k < pairs; k++) jv_setn(cx, o, cols[k].p, cols[k].n, cell_json(cx, &rows[r][idx[k]]));
        jv_push(cx, arr, o);
    }
    return arr;
}

static jv *execute_select(S *st, sv stmt) {
    sv up = upper(st, stmt);
    size_t fp = find(up, " FROM ");
    if (fp == NONE) return NULL;
    sv af = from(st, stmt, fp + 6);
    if (st->panic) return NULL;
    size_t te = find_ws_or(af, ';');
    if (te == NONE) te = af.n;
    const table *t = find_table(st, trim(mk(af.p, te)));
    if (!t) return NULL;
    sv sel = trim(sub(st, stmt, 7, fp));
    if (st->panic) return NULL;

    /* WHERE col OP value */
    int has_where = 0;
    sv wcol = mk("", 0), wop = mk("", 0), wval = mk("", 0);
    sv rest = mk(af.p + te, af.n - te);
    size_t wp = find(upper(st, rest), "WHERE ");
    if (wp != NONE) {
        sv w = from(st, af, te + wp + 6);
        if (st->panic) return NULL;
        sv wu = upper(st, w);
        size_t end = find(wu, "ORDER BY");
        if (end == NONE) end = find(wu, "LIMIT");
        if (end == NONE) end = w.n;
        sv cond = trim(sub(st, w, 0, end));
        if (st->panic) return NULL;
        static const char *const OPS_[] = { ">=", "<=", "<>", "!=", "=", ">", "<" };
        for (int k = 0; k < 7; k++) {
            size_t pos = find(cond, OPS_[k]);
            if (pos == NONE) continue;
            size_t ol = strlen(OPS_[k]);
            wcol = trim(sub(st, cond, 0, pos));
            wval = trim_matches(trim(from(st, cond, pos + ol)), '\'');
            if (st->panic) return NULL;
            wop = mk(OPS_[k], ol);
            has_where = 1;
            break;
        }
    }
    cell **rows = (cell **)lx_alloc(st->cx, (t->nrows ? t->nrows : 1) * sizeof(cell *));
    size_t nr = 0;
    size_t wci = has_where ? col_idx(st, t, wcol) : NONE;
    for (size_t r = 0; r < t->nrows; r++)
        if (!has_where || wci == NONE || apply_where(st, &t->rows[r][wci], wop, wval)) rows[nr++] = t->rows[r];

    /* ORDER BY col [ASC|DESC] */
    size_t op = find(up, "ORDER BY ");
    if (op != NONE) {
        sv after = from(st, stmt, op + 9);
        if (st->panic) return NULL;
        size_t end = NONE;
        for (size_t i = 0; i < after.n; i++) if (after.p[i] == ';' || after.p[i] == '\n') { end = i; break; }
        if (end == NONE) end = after.n;
        sv s = trim(mk(after.p, end));
        order_t o;
        o.asc = find(upper(st, s), "DESC") == NONE;
        o.ci = col_idx(st, t, first_word(s));
        if (o.ci != NONE) lx_sort(st->cx, rows, nr, sizeof(cell *), cmp_rows, &o);
    }
    /* LIMIT n (usize is 32 bits on wasm32: larger values do not parse and mean no limit) */
    size_t lp = find(up, "LIMIT ");
    if (lp != NONE) {
        sv after = from(st, stmt, lp + 6);
        if (st->panic) return NULL;
        sv w = first_word(after);
        uint64_t lim;
        if (w.n && lx_parse_u64(w.p, w.n, &lim) && lim <= UINT32_MAX && lim < nr) nr = (size_t)lim;
    }
    return evaluate_select(st, sel, t, rows, nr);
}

static jv *op_execute(lx_ctx *cx, const jv *a) {
    const char *p; size_t n;
    if (!lx_arg_str(a, "sql", &p, &n)) return NULL;
    S st;
    memset(&st, 0, sizeof st);
    st.cx = cx;
    jv *last = NULL;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != ';') continue;
        sv stmt = trim(mk(p + start, i - start));
        start = i + 1;
        if (!stmt.n) continue;
        sv t = upper(&st, stmt);
        lx_trim(&t.p, &t.n); /* trim_start (the statement is trimmed already) */
        if (starts(t, "CREATE TABLE")) execute_create(&st, stmt);
        else if (starts(t, "INSERT INTO")) execute_insert(&st, stmt);
        else if (starts(t, "SELECT")) last = execute_select(&st, stmt);
        if (st.panic) return NULL; /* larql panics (trap); declined here */
    }
    return last;
}

static const lx_op OPS[] = {
    {"execute", op_execute, {"sql"}},
};

LARQL_EXPERT("sql", 1, "In-memory SQL evaluator: CREATE TABLE, INSERT, SELECT with aggregates and WHERE", "0.2.0", OPS)
