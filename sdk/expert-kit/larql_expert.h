/*
 * larql_expert.h — the Polymath C expert kit (single header).
 *
 * Implements the larql expert ABI once: larql_alloc / larql_dealloc /
 * larql_call / larql_metadata, a JSON reader and writer that behave like
 * serde_json (the library larql's experts are built with), the argument
 * coercion rules of the larql catalogue (num, num~, int~, uint~, str, bool,
 * [num]) and serde_json's value formatting (shortest round-trip floats that
 * always carry a fraction or exponent, integers as integers, non-finite
 * floats as null, object keys in byte order).
 *
 * Usage: include this header in exactly one C file per expert, write one
 * function per op, list the ops in a table and end the file with
 * LARQL_EXPERT(...). See README.md in this folder.
 *
 * The same source builds for WebAssembly (clang --target=wasm32-wasi) and
 * natively (gcc/clang, as a shared library); see README.md for the exported
 * C signatures.
 *
 * Memory: every call gets an arena (lx_ctx) that owns the parsed arguments
 * and everything the op builds; it is released when the call returns, so a
 * call leaves nothing behind except the result string the host frees.
 * Running out of memory inside an op traps (__builtin_trap), as
 * larql-cli-cpu's experts do; larql_alloc itself returns 0 on failure.
 */
#ifndef LARQL_EXPERT_H
#define LARQL_EXPERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#define LX_API static __attribute__((unused))

#if defined(__wasm__)
#define LX_EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#else
#define LX_EXPORT(name) __attribute__((visibility("default")))
#endif

#ifndef LX_MAX_ARGS
#define LX_MAX_ARGS 8
#endif
#define LX_MAX_DEPTH 128

/* ───────────────────────────── arena ───────────────────────────── */

typedef struct lx_chunk {
    struct lx_chunk *next;
    size_t cap, used;
    /* data follows, 16-byte aligned */
} lx_chunk;

/** Per-call context: an arena that owns all temporary memory of one call. */
typedef struct lx_ctx {
    lx_chunk *head;
} lx_ctx;

#define LX_CHUNK_HDR ((sizeof(lx_chunk) + 15u) & ~(size_t)15u)

/** Allocate n bytes (16-byte aligned) from the call's arena. Traps when memory is exhausted. */
LX_API void *lx_alloc(lx_ctx *cx, size_t n) {
    n = (n + 15u) & ~(size_t)15u;
    if (n == 0) n = 16;
    lx_chunk *c = cx->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 8192 ? n : 8192;
        if (cap > SIZE_MAX - LX_CHUNK_HDR) __builtin_trap();
        lx_chunk *nc = (lx_chunk *)malloc(LX_CHUNK_HDR + cap);
        if (!nc) __builtin_trap();
        nc->cap = cap;
        nc->used = 0;
        nc->next = cx->head;
        cx->head = nc;
        c = nc;
    }
    void *p = (char *)c + LX_CHUNK_HDR + c->used;
    c->used += n;
    return p;
}

/** Allocate count*size zeroed bytes from the arena (traps on overflow or exhaustion). */
LX_API void *lx_calloc(lx_ctx *cx, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) __builtin_trap();
    void *p = lx_alloc(cx, count * size);
    memset(p, 0, count * size);
    return p;
}

/** Release everything the arena owns. */
LX_API void lx_release(lx_ctx *cx) {
    lx_chunk *c = cx->head;
    while (c) {
        lx_chunk *n = c->next;
        free(c);
        c = n;
    }
    cx->head = NULL;
}

/* ───────────────────────────── JSON values ───────────────────────────── */

typedef enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ } jv_type;
/* serde_json's three number representations. */
typedef enum { JN_U64, JN_I64, JN_F64 } jn_kind;

typedef struct jv jv;
typedef struct jv_member { const char *key; size_t klen; jv *val; } jv_member;

/** A JSON value (serde_json::Value). */
struct jv {
    jv_type t;
    union {
        int b;
        struct { jn_kind k; uint64_t u; int64_t i; double f; } n;
        struct { const char *p; size_t len; } s;
        struct { jv **items; size_t len, cap; } a;
        struct { jv_member *m; size_t len, cap; } o;
    } v;
};

LX_API jv *jv_new(lx_ctx *cx, jv_type t) {
    jv *x = (jv *)lx_calloc(cx, 1, sizeof(jv));
    x->t = t;
    return x;
}
LX_API jv *jv_null(lx_ctx *cx) { return jv_new(cx, JV_NULL); }
LX_API jv *jv_bool(lx_ctx *cx, int b) { jv *x = jv_new(cx, JV_BOOL); x->v.b = b ? 1 : 0; return x; }
/** Unsigned integer (Rust u64/usize): serialised as a JSON integer. */
LX_API jv *jv_uint(lx_ctx *cx, uint64_t u) { jv *x = jv_new(cx, JV_NUM); x->v.n.k = JN_U64; x->v.n.u = u; return x; }
/** Signed integer (Rust i64): serialised as a JSON integer. Non-negative values are stored as u64 like serde_json. */
LX_API jv *jv_int(lx_ctx *cx, int64_t i) {
    if (i >= 0) return jv_uint(cx, (uint64_t)i);
    jv *x = jv_new(cx, JV_NUM); x->v.n.k = JN_I64; x->v.n.i = i; return x;
}
/** Float (Rust f64): serialised with a fraction or exponent; NaN/inf become null (serde_json's rule). */
LX_API jv *jv_float(lx_ctx *cx, double f) {
    if (!isfinite(f)) return jv_null(cx);
    jv *x = jv_new(cx, JV_NUM); x->v.n.k = JN_F64; x->v.n.f = f; return x;
}
/** String from bytes (copied into the arena; must be UTF-8). */
LX_API jv *jv_strn(lx_ctx *cx, const char *p, size_t n) {
    jv *x = jv_new(cx, JV_STR);
    char *c = (char *)lx_alloc(cx, n + 1);
    if (n) memcpy(c, p, n);
    c[n] = 0;
    x->v.s.p = c; x->v.s.len = n;
    return x;
}
LX_API jv *jv_str(lx_ctx *cx, const char *s) { return jv_strn(cx, s, strlen(s)); }
/** String that refers to bytes without copying (they must outlive the call, e.g. static data or arena memory). */
LX_API jv *jv_str_ref(lx_ctx *cx, const char *p, size_t n) {
    jv *x = jv_new(cx, JV_STR); x->v.s.p = p; x->v.s.len = n; return x;
}
LX_API jv *jv_arr(lx_ctx *cx) { return jv_new(cx, JV_ARR); }
LX_API jv *jv_obj(lx_ctx *cx) { return jv_new(cx, JV_OBJ); }

/** Append an item to an array. */
LX_API void jv_push(lx_ctx *cx, jv *arr, jv *item) {
    if (arr->v.a.len == arr->v.a.cap) {
        size_t nc = arr->v.a.cap ? arr->v.a.cap * 2 : 4;
        jv **ni = (jv **)lx_alloc(cx, nc * sizeof(jv *));
        if (arr->v.a.len) memcpy(ni, arr->v.a.items, arr->v.a.len * sizeof(jv *));
        arr->v.a.items = ni; arr->v.a.cap = nc;
    }
    arr->v.a.items[arr->v.a.len++] = item;
}

LX_API int lx_keycmp(const char *a, size_t al, const char *b, size_t bl) {
    size_t n = al < bl ? al : bl;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c;
    return al < bl ? -1 : (al > bl ? 1 : 0);
}

/** Insert or replace a member (like BTreeMap::insert: the last value for a key wins). Key bytes are copied. */
LX_API void jv_setn(lx_ctx *cx, jv *obj, const char *key, size_t klen, jv *val) {
    for (size_t i = 0; i < obj->v.o.len; i++)
        if (lx_keycmp(obj->v.o.m[i].key, obj->v.o.m[i].klen, key, klen) == 0) { obj->v.o.m[i].val = val; return; }
    if (obj->v.o.len == obj->v.o.cap) {
        size_t nc = obj->v.o.cap ? obj->v.o.cap * 2 : 4;
        jv_member *nm = (jv_member *)lx_alloc(cx, nc * sizeof(jv_member));
        if (obj->v.o.len) memcpy(nm, obj->v.o.m, obj->v.o.len * sizeof(jv_member));
        obj->v.o.m = nm; obj->v.o.cap = nc;
    }
    char *k = (char *)lx_alloc(cx, klen + 1);
    if (klen) memcpy(k, key, klen);
    k[klen] = 0;
    obj->v.o.m[obj->v.o.len].key = k;
    obj->v.o.m[obj->v.o.len].klen = klen;
    obj->v.o.m[obj->v.o.len].val = val;
    obj->v.o.len++;
}
LX_API void jv_set(lx_ctx *cx, jv *obj, const char *key, jv *val) { jv_setn(cx, obj, key, strlen(key), val); }

/** Member lookup (serde_json Value::get): NULL unless obj is an object holding key. */
LX_API const jv *jv_getn(const jv *obj, const char *key, size_t klen) {
    if (!obj || obj->t != JV_OBJ) return NULL;
    for (size_t i = obj->v.o.len; i-- > 0;)
        if (lx_keycmp(obj->v.o.m[i].key, obj->v.o.m[i].klen, key, klen) == 0) return obj->v.o.m[i].val;
    return NULL;
}
LX_API const jv *jv_get(const jv *obj, const char *key) { return jv_getn(obj, key, strlen(key)); }

/* serde_json accessors (Value::as_*). Each returns 1 on success. */
LX_API int jv_as_f64(const jv *x, double *out) {
    if (!x || x->t != JV_NUM) return 0;
    switch (x->v.n.k) {
    case JN_U64: *out = (double)x->v.n.u; break;
    case JN_I64: *out = (double)x->v.n.i; break;
    default: *out = x->v.n.f; break;
    }
    return 1;
}
LX_API int jv_as_i64(const jv *x, int64_t *out) {
    if (!x || x->t != JV_NUM) return 0;
    if (x->v.n.k == JN_U64) { if (x->v.n.u > (uint64_t)INT64_MAX) return 0; *out = (int64_t)x->v.n.u; return 1; }
    if (x->v.n.k == JN_I64) { *out = x->v.n.i; return 1; }
    return 0;
}
LX_API int jv_as_u64(const jv *x, uint64_t *out) {
    if (!x || x->t != JV_NUM || x->v.n.k != JN_U64) return 0;
    *out = x->v.n.u;
    return 1;
}
LX_API int jv_as_bool(const jv *x, int *out) {
    if (!x || x->t != JV_BOOL) return 0;
    *out = x->v.b;
    return 1;
}
LX_API int jv_as_str(const jv *x, const char **p, size_t *len) {
    if (!x || x->t != JV_STR) return 0;
    *p = x->v.s.p; *len = x->v.s.len;
    return 1;
}
LX_API int jv_is_arr(const jv *x) { return x && x->t == JV_ARR; }
LX_API int jv_is_obj(const jv *x) { return x && x->t == JV_OBJ; }
LX_API size_t jv_len(const jv *x) { return x && x->t == JV_ARR ? x->v.a.len : (x && x->t == JV_OBJ ? x->v.o.len : 0); }
LX_API const jv *jv_at(const jv *x, size_t i) { return x && x->t == JV_ARR && i < x->v.a.len ? x->v.a.items[i] : NULL; }

/* Rust `as` casts from f64 (saturating, NaN -> 0). */
LX_API int64_t lx_f64_to_i64(double f) {
    if (f != f) return 0;
    if (f <= -9223372036854775808.0) return INT64_MIN;
    if (f >= 9223372036854775808.0) return INT64_MAX;
    return (int64_t)f;
}
LX_API uint64_t lx_f64_to_u64(double f) {
    if (f != f || f <= 0.0) return 0;
    if (f >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)f;
}

/* ───────────────────── Rust str::parse grammars ───────────────────── */

/** Rust's `str::parse::<f64>()`: [+-]? (inf | infinity | nan | digits [. digits?] | . digits) ([eE][+-]?digits)?,
 *  inf/nan case-insensitive, no whitespace. Out-of-range values become ±inf or 0 (no error). */
LX_API int lx_parse_f64(const char *s, size_t n, double *out) {
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) { neg = s[i] == '-'; i++; }
    size_t rest = n - i;
    const char *r = s + i;
    static const char *const special[] = { "inf", "infinity", "nan" };
    for (int k = 0; k < 3; k++) {
        size_t kl = strlen(special[k]);
        if (rest == kl) {
            size_t j = 0;
            while (j < kl && (r[j] | 0x20) == special[k][j]) j++;
            if (j == kl) {
                double v = k == 2 ? NAN : INFINITY;
                *out = neg ? -v : v;
                return 1;
            }
        }
    }
    size_t intd = 0, fracd = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') { i++; intd++; }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') { i++; fracd++; }
    }
    if (intd + fracd == 0) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') { i++; ed++; }
        if (ed == 0) return 0;
    }
    if (i != n) return 0;
    char small[64];
    char *buf = n < sizeof small ? small : (char *)malloc(n + 1);
    if (!buf) __builtin_trap();
    memcpy(buf, s, n);
    buf[n] = 0;
    *out = strtod(buf, NULL);
    if (buf != small) free(buf);
    return 1;
}

/** Rust's `str::parse::<i64>()`: [+-]?digits, no whitespace, overflow is an error. */
LX_API int lx_parse_i64(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    int neg = 0;
    if (n == 0) return 0;
    if (s[0] == '+' || s[0] == '-') { if (n == 1) return 0; neg = s[0] == '-'; i = 1; }
    uint64_t acc = 0;
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (lim - d) / 10) return 0;
        acc = acc * 10 + d;
    }
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return 1;
}

/** Rust's `str::parse::<u64>()`: +?digits (a '-' is an invalid digit), overflow is an error. */
LX_API int lx_parse_u64_radix(const char *s, size_t n, unsigned radix, uint64_t *out) {
    size_t i = 0;
    if (n == 0 || radix < 2 || radix > 36) return 0;
    if (s[0] == '+' || s[0] == '-') { if (n == 1) return 0; if (s[0] == '+') i = 1; }
    uint64_t acc = 0;
    for (; i < n; i++) {
        unsigned c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') d = (c | 0x20) - 'a' + 10;
        else return 0;
        if (d >= radix) return 0;
        if (acc > (UINT64_MAX - d) / radix) return 0;
        acc = acc * radix + d;
    }
    *out = acc;
    return 1;
}
LX_API int lx_parse_u64(const char *s, size_t n, uint64_t *out) { return lx_parse_u64_radix(s, n, 10, out); }

/* ───────────────────── argument coercion (catalogue §1.6) ───────────────────── */

/** `num`: a JSON number only. */
LX_API int lx_arg_num(const jv *args, const char *key, double *out) { return jv_as_f64(jv_get(args, key), out); }

/** `num~`: a JSON number, or a string that parses as a float (Rust grammar). */
LX_API int lx_arg_numx(const jv *args, const char *key, double *out) {
    const jv *x = jv_get(args, key);
    if (jv_as_f64(x, out)) return 1;
    const char *p; size_t n;
    return jv_as_str(x, &p, &n) && lx_parse_f64(p, n, out);
}

/** `int~`: a JSON integer; a JSON float truncated toward 0 (saturating); a string that parses as an integer. */
LX_API int lx_arg_intx(const jv *args, const char *key, int64_t *out) {
    const jv *x = jv_get(args, key);
    if (jv_as_i64(x, out)) return 1;
    double f;
    if (jv_as_f64(x, &f)) { *out = lx_f64_to_i64(f); return 1; }
    const char *p; size_t n;
    return jv_as_str(x, &p, &n) && lx_parse_i64(p, n, out);
}

/** `uint~`: a JSON non-negative integer; any other number cast with saturation; a string that parses as unsigned. */
LX_API int lx_arg_uintx(const jv *args, const char *key, uint64_t *out) {
    const jv *x = jv_get(args, key);
    if (jv_as_u64(x, out)) return 1;
    double f;
    if (jv_as_f64(x, &f)) { *out = lx_f64_to_u64(f); return 1; }
    const char *p; size_t n;
    return jv_as_str(x, &p, &n) && lx_parse_u64(p, n, out);
}

/** `str`: a JSON string only. */
LX_API int lx_arg_str(const jv *args, const char *key, const char **p, size_t *n) { return jv_as_str(jv_get(args, key), p, n); }

/** `bool`: JSON true/false only. */
LX_API int lx_arg_bool(const jv *args, const char *key, int *out) { return jv_as_bool(jv_get(args, key), out); }

/** `[num]`: a JSON array whose elements are all numbers. The list is allocated in the arena. */
LX_API int lx_list_f64(lx_ctx *cx, const jv *arr, double **out, size_t *n) {
    if (!jv_is_arr(arr)) return 0;
    size_t len = arr->v.a.len;
    double *d = (double *)lx_alloc(cx, (len ? len : 1) * sizeof(double));
    for (size_t i = 0; i < len; i++)
        if (!jv_as_f64(arr->v.a.items[i], &d[i])) return 0;
    *out = d; *n = len;
    return 1;
}
LX_API int lx_arg_numlist(lx_ctx *cx, const jv *args, const char *key, double **out, size_t *n) {
    return lx_list_f64(cx, jv_get(args, key), out, n);
}

/* ───────────────────────────── JSON reader ───────────────────────────── */

typedef struct { const unsigned char *s; size_t n, i; int depth; lx_ctx *cx; } lx_rd;

LX_API void lx_rd_ws(lx_rd *r) {
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r')) r->i++;
}

/* Length of a valid UTF-8 sequence starting at s[0] (n bytes available), 0 if invalid. */
LX_API size_t lx_utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;
        if (c == 0xED && s[1] >= 0xA0) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

/** Encode a code point as UTF-8 into out (4 bytes room); returns the length. */
LX_API size_t lx_utf8_put(unsigned char *out, uint32_t cp) {
    if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { out[0] = (unsigned char)(0xC0 | (cp >> 6)); out[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12)); out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F)); return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18)); out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

LX_API int lx_rd_hex4(lx_rd *r, unsigned *out) {
    if (r->n - r->i < 4) return 0;
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = r->s[r->i++], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return 0;
        v = v * 16 + d;
    }
    *out = v;
    return 1;
}

/* Parses a string body after the opening quote; result in arena. */
LX_API int lx_rd_string(lx_rd *r, const char **out, size_t *outlen) {
    size_t start = r->i;
    /* fast scan for the closing quote to size the buffer */
    size_t j = start;
    while (j < r->n && r->s[j] != '"') { if (r->s[j] == '\\') j++; j++; }
    if (j >= r->n) return 0;
    unsigned char *buf = (unsigned char *)lx_alloc(r->cx, j - start + 1);
    size_t o = 0;
    for (;;) {
        if (r->i >= r->n) return 0;
        unsigned c = r->s[r->i];
        if (c == '"') { r->i++; break; }
        if (c < 0x20) return 0;
        if (c == '\\') {
            r->i++;
            if (r->i >= r->n) return 0;
            unsigned e = r->s[r->i++];
            switch (e) {
            case '"': buf[o++] = '"'; break;
            case '\\': buf[o++] = '\\'; break;
            case '/': buf[o++] = '/'; break;
            case 'b': buf[o++] = 8; break;
            case 'f': buf[o++] = 12; break;
            case 'n': buf[o++] = 10; break;
            case 'r': buf[o++] = 13; break;
            case 't': buf[o++] = 9; break;
            case 'u': {
                unsigned u;
                if (!lx_rd_hex4(r, &u)) return 0;
                uint32_t cp = u;
                if (u >= 0xDC00 && u <= 0xDFFF) return 0; /* lone trailing surrogate */
                if (u >= 0xD800 && u <= 0xDBFF) {
                    unsigned lo;
                    if (r->n - r->i < 2 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u') return 0;
                    r->i += 2;
                    if (!lx_rd_hex4(r, &lo) || lo < 0xDC00 || lo > 0xDFFF) return 0;
                    cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                }
                o += lx_utf8_put(buf + o, cp); /* \uXXXX is 6 bytes, at most 3 out; pairs 12 in, 4 out */
                break;
            }
            default: return 0;
            }
            continue;
        }
        size_t l = lx_utf8_len(r->s + r->i, r->n - r->i);
        if (!l) return 0;
        memcpy(buf + o, r->s + r->i, l);
        o += l; r->i += l;
    }
    buf[o] = 0;
    *out = (const char *)buf; *outlen = o;
    return 1;
}

LX_API jv *lx_rd_value(lx_rd *r);

/* serde_json's POW10 table (correctly rounded 1e0..1e308). */
static const double LX_POW10[309] = {1e0,1e1,1e2,1e3,1e4,1e5,1e6,1e7,1e8,1e9,1e10,1e11,1e12,1e13,1e14,1e15,1e16,1e17,1e18,1e19,1e20,1e21,1e22,1e23,1e24,1e25,1e26,1e27,1e28,1e29,1e30,1e31,1e32,1e33,1e34,1e35,1e36,1e37,1e38,1e39,1e40,1e41,1e42,1e43,1e44,1e45,1e46,1e47,1e48,1e49,1e50,1e51,1e52,1e53,1e54,1e55,1e56,1e57,1e58,1e59,1e60,1e61,1e62,1e63,1e64,1e65,1e66,1e67,1e68,1e69,1e70,1e71,1e72,1e73,1e74,1e75,1e76,1e77,1e78,1e79,1e80,1e81,1e82,1e83,1e84,1e85,1e86,1e87,1e88,1e89,1e90,1e91,1e92,1e93,1e94,1e95,1e96,1e97,1e98,1e99,1e100,1e101,1e102,1e103,1e104,1e105,1e106,1e107,1e108,1e109,1e110,1e111,1e112,1e113,1e114,1e115,1e116,1e117,1e118,1e119,1e120,1e121,1e122,1e123,1e124,1e125,1e126,1e127,1e128,1e129,1e130,1e131,1e132,1e133,1e134,1e135,1e136,1e137,1e138,1e139,1e140,1e141,1e142,1e143,1e144,1e145,1e146,1e147,1e148,1e149,1e150,1e151,1e152,1e153,1e154,1e155,1e156,1e157,1e158,1e159,1e160,1e161,1e162,1e163,1e164,1e165,1e166,1e167,1e168,1e169,1e170,1e171,1e172,1e173,1e174,1e175,1e176,1e177,1e178,1e179,1e180,1e181,1e182,1e183,1e184,1e185,1e186,1e187,1e188,1e189,1e190,1e191,1e192,1e193,1e194,1e195,1e196,1e197,1e198,1e199,1e200,1e201,1e202,1e203,1e204,1e205,1e206,1e207,1e208,1e209,1e210,1e211,1e212,1e213,1e214,1e215,1e216,1e217,1e218,1e219,1e220,1e221,1e222,1e223,1e224,1e225,1e226,1e227,1e228,1e229,1e230,1e231,1e232,1e233,1e234,1e235,1e236,1e237,1e238,1e239,1e240,1e241,1e242,1e243,1e244,1e245,1e246,1e247,1e248,1e249,1e250,1e251,1e252,1e253,1e254,1e255,1e256,1e257,1e258,1e259,1e260,1e261,1e262,1e263,1e264,1e265,1e266,1e267,1e268,1e269,1e270,1e271,1e272,1e273,1e274,1e275,1e276,1e277,1e278,1e279,1e280,1e281,1e282,1e283,1e284,1e285,1e286,1e287,1e288,1e289,1e290,1e291,1e292,1e293,1e294,1e295,1e296,1e297,1e298,1e299,1e300,1e301,1e302,1e303,1e304,1e305,1e306,1e307,1e308};

/* serde_json's f64_from_parts (default build, no float_roundtrip feature): significand as f64, then one multiply
 * or divide by a power of ten (dividing by 1e308 first for exponents below -308). Returns 0 on overflow. */
LX_API int lx_f64_from_parts(int positive, uint64_t significand, int32_t exponent, double *out) {
    double f = (double)significand;
    for (;;) {
        uint32_t ax = exponent < 0 ? 0u - (uint32_t)exponent : (uint32_t)exponent;
        if (ax < 309) {
            if (exponent >= 0) { f *= LX_POW10[ax]; if (isinf(f)) return 0; }
            else f /= LX_POW10[ax];
            break;
        }
        if (f == 0.0) break;
        if (exponent >= 0) return 0;
        f /= 1e308;
        exponent += 308;
    }
    *out = positive ? f : -f;
    return 1;
}

#define LX_OVF(a, b, max) ((a) >= (max) / 10 && ((a) > (max) / 10 || (b) > (max) % 10))
LX_API int lx_rd_digit(lx_rd *r) { return r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9'; }

/* after the significand and exponent so far, at 'e'/'E' */
LX_API int lx_rd_exponent(lx_rd *r, int positive, uint64_t sig, int32_t start, double *out) {
    r->i++;
    int pos_exp = 1;
    if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-')) { pos_exp = r->s[r->i] == '+'; r->i++; }
    if (!lx_rd_digit(r)) return 0;
    int32_t exp = r->s[r->i++] - '0';
    while (lx_rd_digit(r)) {
        int32_t d = r->s[r->i] - '0';
        r->i++;
        if (LX_OVF(exp, d, INT32_MAX)) {
            if (sig != 0 && pos_exp) return 0; /* out of range */
            while (lx_rd_digit(r)) r->i++;
            *out = positive ? 0.0 : -0.0;
            return 1;
        }
        exp = exp * 10 + d;
    }
    int64_t fe = pos_exp ? (int64_t)start + exp : (int64_t)start - exp; /* saturating_add/sub */
    if (fe > INT32_MAX) fe = INT32_MAX;
    if (fe < INT32_MIN) fe = INT32_MIN;
    return lx_f64_from_parts(positive, sig, (int32_t)fe, out);
}
/* at '.' */
LX_API int lx_rd_decimal(lx_rd *r, int positive, uint64_t sig, int32_t before, double *out) {
    r->i++;
    int32_t after = 0;
    while (lx_rd_digit(r)) {
        unsigned d = (unsigned)(r->s[r->i] - '0');
        if (LX_OVF(sig, d, UINT64_MAX)) {
            /* further digits are ignored (they still must be digits) */
            while (lx_rd_digit(r)) r->i++;
            if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) return lx_rd_exponent(r, positive, sig, before + after, out);
            return lx_f64_from_parts(positive, sig, before + after, out);
        }
        r->i++;
        sig = sig * 10 + d;
        after--;
    }
    if (after == 0) return 0; /* at least one digit after the point */
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) return lx_rd_exponent(r, positive, sig, before + after, out);
    return lx_f64_from_parts(positive, sig, before + after, out);
}

/* Numbers exactly as serde_json reads them (default features): u64 for non-negative integers, i64 for negative
 * ones, f64 for everything else (-0, integers beyond 64 bits, fractions, exponents), using serde_json's own
 * decimal-to-float conversion (not always correctly rounded for 17+ significant digits, like larql). */
LX_API jv *lx_rd_number(lx_rd *r) {
    int positive = 1;
    if (r->s[r->i] == '-') { positive = 0; r->i++; }
    if (r->i >= r->n) return NULL;
    uint64_t sig = 0;
    double f;
    int isf = 0, ok = 1;
    if (r->s[r->i] == '0') {
        r->i++;
        if (lx_rd_digit(r)) return NULL; /* leading zero */
    } else if (r->s[r->i] >= '1' && r->s[r->i] <= '9') {
        sig = (uint64_t)(r->s[r->i++] - '0');
        while (lx_rd_digit(r)) {
            unsigned d = (unsigned)(r->s[r->i] - '0');
            if (LX_OVF(sig, d, UINT64_MAX)) {
                /* parse_long_integer: remaining integer digits only scale the exponent */
                int32_t e = 0;
                while (lx_rd_digit(r)) { r->i++; e++; }
                isf = 1;
                if (r->i < r->n && r->s[r->i] == '.') ok = lx_rd_decimal(r, positive, sig, e, &f);
                else if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) ok = lx_rd_exponent(r, positive, sig, e, &f);
                else ok = lx_f64_from_parts(positive, sig, e, &f);
                goto done;
            }
            r->i++;
            sig = sig * 10 + d;
        }
    } else return NULL;
    if (r->i < r->n && r->s[r->i] == '.') { isf = 1; ok = lx_rd_decimal(r, positive, sig, 0, &f); }
    else if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) { isf = 1; ok = lx_rd_exponent(r, positive, sig, 0, &f); }
done:
    if (!ok) return NULL;
    if (!isf) {
        if (positive) return jv_uint(r->cx, sig);
        if (sig == 0 || sig > (uint64_t)INT64_MAX + 1u) { f = -(double)sig; } /* -0 and underflow become floats */
        else { jv *x = jv_new(r->cx, JV_NUM); x->v.n.k = JN_I64; x->v.n.i = (int64_t)(0 - sig); return x; }
    }
    jv *x = jv_new(r->cx, JV_NUM); x->v.n.k = JN_F64; x->v.n.f = f;
    return x;
}

LX_API int lx_rd_lit(lx_rd *r, const char *lit) {
    size_t l = strlen(lit);
    if (r->n - r->i < l || memcmp(r->s + r->i, lit, l) != 0) return 0;
    r->i += l;
    return 1;
}

LX_API jv *lx_rd_value(lx_rd *r) {
    lx_rd_ws(r);
    if (r->i >= r->n) return NULL;
    unsigned c = r->s[r->i];
    switch (c) {
    case 'n': return lx_rd_lit(r, "null") ? jv_null(r->cx) : NULL;
    case 't': return lx_rd_lit(r, "true") ? jv_bool(r->cx, 1) : NULL;
    case 'f': return lx_rd_lit(r, "false") ? jv_bool(r->cx, 0) : NULL;
    case '"': {
        r->i++;
        const char *p; size_t n;
        if (!lx_rd_string(r, &p, &n)) return NULL;
        return jv_str_ref(r->cx, p, n);
    }
    case '[': {
        if (--r->depth == 0) return NULL;
        r->i++;
        jv *a = jv_arr(r->cx);
        lx_rd_ws(r);
        if (r->i < r->n && r->s[r->i] == ']') { r->i++; r->depth++; return a; }
        for (;;) {
            jv *item = lx_rd_value(r);
            if (!item) return NULL;
            jv_push(r->cx, a, item);
            lx_rd_ws(r);
            if (r->i >= r->n) return NULL;
            if (r->s[r->i] == ',') { r->i++; continue; }
            if (r->s[r->i] == ']') { r->i++; break; }
            return NULL;
        }
        r->depth++;
        return a;
    }
    case '{': {
        if (--r->depth == 0) return NULL;
        r->i++;
        jv *o = jv_obj(r->cx);
        lx_rd_ws(r);
        if (r->i < r->n && r->s[r->i] == '}') { r->i++; r->depth++; return o; }
        for (;;) {
            lx_rd_ws(r);
            if (r->i >= r->n || r->s[r->i] != '"') return NULL;
            r->i++;
            const char *k; size_t kl;
            if (!lx_rd_string(r, &k, &kl)) return NULL;
            lx_rd_ws(r);
            if (r->i >= r->n || r->s[r->i] != ':') return NULL;
            r->i++;
            jv *val = lx_rd_value(r);
            if (!val) return NULL;
            /* append (lookups take the last duplicate, like BTreeMap::insert) */
            if (o->v.o.len == o->v.o.cap) {
                size_t nc = o->v.o.cap ? o->v.o.cap * 2 : 4;
                jv_member *nm = (jv_member *)lx_alloc(r->cx, nc * sizeof(jv_member));
                if (o->v.o.len) memcpy(nm, o->v.o.m, o->v.o.len * sizeof(jv_member));
                o->v.o.m = nm; o->v.o.cap = nc;
            }
            o->v.o.m[o->v.o.len].key = k; o->v.o.m[o->v.o.len].klen = kl; o->v.o.m[o->v.o.len].val = val;
            o->v.o.len++;
            lx_rd_ws(r);
            if (r->i >= r->n) return NULL;
            if (r->s[r->i] == ',') { r->i++; continue; }
            if (r->s[r->i] == '}') { r->i++; break; }
            return NULL;
        }
        r->depth++;
        return o;
    }
    default:
        if (c == '-' || (c >= '0' && c <= '9')) return lx_rd_number(r);
        return NULL;
    }
}

/** Parse JSON text like serde_json::from_str. Returns NULL on any syntax error (the caller then uses JSON null). */
LX_API jv *lx_parse(lx_ctx *cx, const char *s, size_t n) {
    lx_rd r = { (const unsigned char *)s, n, 0, LX_MAX_DEPTH, cx };
    jv *v = lx_rd_value(&r);
    if (!v) return NULL;
    lx_rd_ws(&r);
    if (r.i != r.n) return NULL;
    return v;
}

/* ───────────────────────────── writer ───────────────────────────── */

/** A growable byte buffer in the arena. */
typedef struct { lx_ctx *cx; char *p; size_t len, cap; } lx_buf;

LX_API void lx_buf_init(lx_buf *b, lx_ctx *cx) { b->cx = cx; b->p = NULL; b->len = b->cap = 0; }
LX_API void lx_buf_reserve(lx_buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return;
    size_t nc = b->cap ? b->cap : 64;
    while (nc - b->len < extra) { if (nc > SIZE_MAX / 2) __builtin_trap(); nc *= 2; }
    char *np = (char *)lx_alloc(b->cx, nc);
    if (b->len) memcpy(np, b->p, b->len);
    b->p = np; b->cap = nc;
}
LX_API void lx_buf_put(lx_buf *b, const void *p, size_t n) { lx_buf_reserve(b, n); if (n) memcpy(b->p + b->len, p, n); b->len += n; }
LX_API void lx_buf_putc(lx_buf *b, char c) { lx_buf_reserve(b, 1); b->p[b->len++] = c; }
LX_API void lx_buf_puts(lx_buf *b, const char *s) { lx_buf_put(b, s, strlen(s)); }
LX_API void lx_buf_putcp(lx_buf *b, uint32_t cp) { unsigned char t[4]; lx_buf_put(b, t, lx_utf8_put(t, cp)); }
/** The buffer's contents as a JSON string value (no copy). */
LX_API jv *lx_buf_jv(lx_buf *b) { return jv_str_ref(b->cx, b->p ? b->p : "", b->len); }

LX_API void lx_put_u64(lx_buf *b, uint64_t u) {
    char t[24]; int k = 0;
    do { t[k++] = (char)('0' + u % 10); u /= 10; } while (u);
    lx_buf_reserve(b, (size_t)k);
    while (k) b->p[b->len++] = t[--k];
}
LX_API void lx_put_i64(lx_buf *b, int64_t i) {
    if (i < 0) { lx_buf_putc(b, '-'); lx_put_u64(b, 0 - (uint64_t)i); }
    else lx_put_u64(b, (uint64_t)i);
}

/* Exact decimal expansion of a finite d > 0 (no stdio, so no WASI imports): digits into dg (>= 800 bytes,
 * trailing zeros stripped), returns the count; *exp10 is the exponent of the first digit. */
LX_API int lx_exact_digits(double d, char *dg, int *exp10) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint64_t mant = bits & ((1ull << 52) - 1);
    int be = (int)((bits >> 52) & 0x7FF);
    int e2;
    if (be == 0) e2 = -1074; else { mant |= 1ull << 52; e2 = be - 1075; }
    uint32_t limb[128]; /* base 1e9, little endian */
    int nl = 0;
    while (mant) { limb[nl++] = (uint32_t)(mant % 1000000000u); mant /= 1000000000u; }
    int left = e2 >= 0 ? e2 : -e2;
    while (left > 0) {
        uint64_t mul;
        int k;
        if (e2 >= 0) { k = left > 29 ? 29 : left; mul = 1ull << k; }
        else { k = left > 13 ? 13 : left; mul = 1; for (int q = 0; q < k; q++) mul *= 5; }
        uint64_t carry = 0;
        for (int q = 0; q < nl; q++) {
            uint64_t t = (uint64_t)limb[q] * mul + carry;
            limb[q] = (uint32_t)(t % 1000000000u);
            carry = t / 1000000000u;
        }
        while (carry) { limb[nl++] = (uint32_t)(carry % 1000000000u); carry /= 1000000000u; }
        left -= k;
    }
    int n = 0;
    for (int q = nl - 1; q >= 0; q--) {
        char t[9];
        uint32_t v = limb[q];
        for (int r = 8; r >= 0; r--) { t[r] = (char)('0' + v % 10); v /= 10; }
        int s = 0;
        if (q == nl - 1) while (s < 8 && t[s] == '0') s++;
        memcpy(dg + n, t + s, (size_t)(9 - s));
        n += 9 - s;
    }
    /* value = digits * 10^(e2<0 ? e2 : 0) */
    *exp10 = n - 1 + (e2 < 0 ? e2 : 0);
    while (n > 1 && dg[n - 1] == '0') n--;
    dg[n] = 0;
    return n;
}

/* strtod of m * 10^(e10 - (nd-1)), built without stdio. */
LX_API double lx_candidate(uint64_t m, int e10) {
    char s[48];
    int k = 0;
    char t[24]; int tl = 0;
    do { t[tl++] = (char)('0' + m % 10); m /= 10; } while (m);
    while (tl) s[k++] = t[--tl];
    s[k++] = 'e';
    if (e10 < 0) { s[k++] = '-'; e10 = -e10; }
    tl = 0;
    do { t[tl++] = (char)('0' + e10 % 10); e10 /= 10; } while (e10);
    while (tl) s[k++] = t[--tl];
    s[k] = 0;
    return strtod(s, NULL);
}

/* Shortest decimal digits that round-trip to d (finite, > 0), choosing the correctly rounded candidate
 * (like ryu): digits into dg (no trailing zeros), returns the count; *exp10 = exponent of the first digit. */
LX_API int lx_shortest(double d, char *dg, int *exp10) {
    char ex[800];
    int ee;
    int L = lx_exact_digits(d, ex, &ee);
    for (int p = 1; p <= 17; p++) {
        uint64_t m = 0;
        int e = ee;
        for (int i = 0; i < p; i++) m = m * 10 + (uint64_t)(i < L ? ex[i] - '0' : 0);
        if (L > p) { /* round half to even on the exact expansion */
            int up = 0;
            if (ex[p] > '5') up = 1;
            else if (ex[p] == '5') {
                int rest = 0;
                for (int i = p + 1; i < L; i++) if (ex[i] != '0') { rest = 1; break; }
                up = rest || (m & 1);
            }
            if (up) m++;
        }
        uint64_t lim = 1;
        for (int i = 0; i < p; i++) lim *= 10;
        if (m >= lim) { m /= 10; e++; } /* 99..9 rounded up to 100..0 */
        int ok = lx_candidate(m, e - (p - 1)) == d;
        if (!ok) {
            /* asymmetric rounding interval at powers of two: a neighbour may still round-trip */
            if (m > 1 && lx_candidate(m - 1, e - (p - 1)) == d) { m -= 1; ok = 1; }
            else if (lx_candidate(m + 1, e - (p - 1)) == d) { m += 1; ok = 1; }
            if (ok && m >= lim) { m /= 10; e++; }
            if (ok && m < lim / 10) { m *= 10; e--; } /* cannot happen for p > 1 with m-1 >= 10^(p-1) */
        }
        if (ok) {
            char t[24]; int tl = 0;
            do { t[tl++] = (char)('0' + m % 10); m /= 10; } while (m);
            int n = 0;
            while (tl) dg[n++] = t[--tl];
            while (n > 1 && dg[n - 1] == '0') n--;
            dg[n] = 0;
            *exp10 = e;
            return n;
        }
    }
    __builtin_trap(); /* unreachable: 17 significant digits always round-trip */
}

/** Format a finite f64 exactly like serde_json (ryu): "46.0", "0.1", "1e16", "1.5e-7", "-0.0". */
LX_API void lx_put_f64(lx_buf *b, double d) {
    if (!isfinite(d)) { lx_buf_puts(b, "null"); return; }
    if (signbit(d)) { lx_buf_putc(b, '-'); d = -d; }
    if (d == 0) { lx_buf_puts(b, "0.0"); return; }
    char dg[24]; int e;
    int len = lx_shortest(d, dg, &e);
    int kk = e + 1;          /* 10^(kk-1) <= d < 10^kk */
    int k = kk - len;        /* d = digits * 10^k */
    if (0 <= k && kk <= 16) {
        lx_buf_put(b, dg, (size_t)len);
        for (int i = len; i < kk; i++) lx_buf_putc(b, '0');
        lx_buf_puts(b, ".0");
    } else if (0 < kk && kk <= 16) {
        lx_buf_put(b, dg, (size_t)kk);
        lx_buf_putc(b, '.');
        lx_buf_put(b, dg + kk, (size_t)(len - kk));
    } else if (-5 < kk && kk <= 0) {
        lx_buf_puts(b, "0.");
        for (int i = kk; i < 0; i++) lx_buf_putc(b, '0');
        lx_buf_put(b, dg, (size_t)len);
    } else {
        lx_buf_putc(b, dg[0]);
        if (len > 1) { lx_buf_putc(b, '.'); lx_buf_put(b, dg + 1, (size_t)(len - 1)); }
        lx_buf_putc(b, 'e');
        lx_put_i64(b, kk - 1);
    }
}

/** Write bytes as a JSON string with serde_json's escaping. */
LX_API void lx_put_jstr(lx_buf *b, const char *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    lx_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        const char *esc = NULL;
        char u[7];
        if (c == '"') esc = "\\\"";
        else if (c == '\\') esc = "\\\\";
        else if (c < 0x20) {
            switch (c) {
            case 8: esc = "\\b"; break;
            case 12: esc = "\\f"; break;
            case 10: esc = "\\n"; break;
            case 13: esc = "\\r"; break;
            case 9: esc = "\\t"; break;
            default:
                u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0'; u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = 0;
                esc = u;
            }
        }
        if (esc) {
            lx_buf_put(b, p + run, i - run);
            lx_buf_puts(b, esc);
            run = i + 1;
        }
    }
    lx_buf_put(b, p + run, n - run);
    lx_buf_putc(b, '"');
}

/** Serialise a value like serde_json::to_string (objects with keys in byte order). */
LX_API void lx_write(lx_buf *b, const jv *x) {
    if (!x) { lx_buf_puts(b, "null"); return; }
    switch (x->t) {
    case JV_NULL: lx_buf_puts(b, "null"); break;
    case JV_BOOL: lx_buf_puts(b, x->v.b ? "true" : "false"); break;
    case JV_NUM:
        if (x->v.n.k == JN_U64) lx_put_u64(b, x->v.n.u);
        else if (x->v.n.k == JN_I64) lx_put_i64(b, x->v.n.i);
        else lx_put_f64(b, x->v.n.f);
        break;
    case JV_STR: lx_put_jstr(b, x->v.s.p, x->v.s.len); break;
    case JV_ARR:
        lx_buf_putc(b, '[');
        for (size_t i = 0; i < x->v.a.len; i++) {
            if (i) lx_buf_putc(b, ',');
            lx_write(b, x->v.a.items[i]);
        }
        lx_buf_putc(b, ']');
        break;
    case JV_OBJ: {
        size_t n = x->v.o.len;
        /* order: by key bytes; for duplicate keys (parsed objects) the last one wins */
        size_t *idx = (size_t *)lx_alloc(b->cx, (n ? n : 1) * sizeof(size_t));
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const jv_member *mi = &x->v.o.m[i];
            size_t j = m, dup = (size_t)-1;
            for (size_t q = 0; q < m; q++)
                if (lx_keycmp(x->v.o.m[idx[q]].key, x->v.o.m[idx[q]].klen, mi->key, mi->klen) == 0) { dup = q; break; }
            if (dup != (size_t)-1) { idx[dup] = i; continue; }
            while (j > 0 && lx_keycmp(x->v.o.m[idx[j - 1]].key, x->v.o.m[idx[j - 1]].klen, mi->key, mi->klen) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = i;
            m++;
        }
        lx_buf_putc(b, '{');
        for (size_t q = 0; q < m; q++) {
            const jv_member *mm = &x->v.o.m[idx[q]];
            if (q) lx_buf_putc(b, ',');
            lx_put_jstr(b, mm->key, mm->klen);
            lx_buf_putc(b, ':');
            lx_write(b, mm->val);
        }
        lx_buf_putc(b, '}');
        break;
    }
    }
}

/* ───────────────────────────── helpers for experts ───────────────────────────── */

/** Stable merge sort (Rust's slice::sort_by is stable). cmp returns <0, 0, >0. */
LX_API void lx_sort(lx_ctx *cx, void *base, size_t n, size_t size,
                    int (*cmp)(const void *, const void *, void *), void *user) {
    if (n < 2) return;
    char *a = (char *)base;
    char *tmp = (char *)lx_alloc(cx, n * size);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (cmp(a + j * size, a + i * size, user) < 0) { memcpy(tmp + k * size, a + j * size, size); j++; }
                else { memcpy(tmp + k * size, a + i * size, size); i++; }
                k++;
            }
            while (i < mid) { memcpy(tmp + k * size, a + i * size, size); i++; k++; }
            while (j < hi) { memcpy(tmp + k * size, a + j * size, size); j++; k++; }
        }
        memcpy(a, tmp, n * size);
    }
}

/** Decode one UTF-8 code point at s (n bytes left); *len gets its length. Input strings are valid UTF-8
 *  (the reader rejects anything else); an invalid byte decodes as U+FFFD with length 1. */
LX_API uint32_t lx_utf8_next(const char *s, size_t n, size_t *len) {
    const unsigned char *u = (const unsigned char *)s;
    size_t l = lx_utf8_len(u, n);
    *len = l ? l : 1;
    switch (l) {
    case 1: return u[0];
    case 2: return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    case 3: return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    case 4: return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) | ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    default: return 0xFFFD;
    }
}

/** Rust's char::is_whitespace (Unicode White_Space). */
LX_API int lx_is_whitespace(uint32_t c) {
    return (c >= 9 && c <= 13) || c == 32 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/** Rust's str::trim (Unicode whitespace at both ends), in place on (p, n). */
LX_API void lx_trim(const char **p, size_t *n) {
    const char *s = *p; size_t len = *n, l;
    while (len) { uint32_t c = lx_utf8_next(s, len, &l); if (!lx_is_whitespace(c)) break; s += l; len -= l; }
    while (len) {
        size_t k = len - 1;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
        uint32_t c = lx_utf8_next(s + k, len - k, &l);
        if (!lx_is_whitespace(c)) break;
        len = k;
    }
    *p = s; *n = len;
}

/** Whether bytes are valid UTF-8 (String::from_utf8 succeeds). */
LX_API int lx_utf8_valid(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) { size_t l = lx_utf8_len((const unsigned char *)s + i, n - i); if (!l) return 0; i += l; }
    return 1;
}

/** Equality of a (ptr,len) string with a C string. */
LX_API int lx_eq(const char *p, size_t n, const char *lit) { size_t l = strlen(lit); return l == n && memcmp(p, lit, n) == 0; }

/* ───────────────────────────── the ABI ───────────────────────────── */

/** An op function: returns the result value, or NULL to decline. Return jv_null(cx) for a handled null. */
typedef jv *(*lx_op_fn)(lx_ctx *cx, const jv *args);

/** One op of the static op table: name, function, advertised argument keys (NULL-terminated). */
typedef struct { const char *name; lx_op_fn fn; const char *args[LX_MAX_ARGS]; } lx_op;

/** The expert's identity and op table. */
typedef struct {
    const char *id; unsigned tier; const char *description; const char *version;
    const lx_op *ops; size_t n_ops;
} lx_expert;

/* Copy the buffer into a fresh malloc'd NUL-terminated block of exactly len+1 bytes. */
LX_API char *lx_export_cstr(const lx_buf *b) {
    char *r = (char *)malloc(b->len + 1);
    if (!r) return NULL;
    if (b->len) memcpy(r, b->p, b->len);
    r[b->len] = 0;
    return r;
}

/** larql_metadata's body: {"id","tier","description","version","ops":[{"name","args":[...]}]}. */
LX_API char *lx_metadata(const lx_expert *e) {
    lx_ctx cx = { NULL };
    lx_buf b; lx_buf_init(&b, &cx);
    lx_buf_puts(&b, "{\"id\":"); lx_put_jstr(&b, e->id, strlen(e->id));
    lx_buf_puts(&b, ",\"tier\":"); lx_put_u64(&b, e->tier);
    lx_buf_puts(&b, ",\"description\":"); lx_put_jstr(&b, e->description, strlen(e->description));
    lx_buf_puts(&b, ",\"version\":"); lx_put_jstr(&b, e->version, strlen(e->version));
    lx_buf_puts(&b, ",\"ops\":[");
    for (size_t i = 0; i < e->n_ops; i++) {
        if (i) lx_buf_putc(&b, ',');
        lx_buf_puts(&b, "{\"name\":"); lx_put_jstr(&b, e->ops[i].name, strlen(e->ops[i].name));
        lx_buf_puts(&b, ",\"args\":[");
        for (int k = 0; k < LX_MAX_ARGS && e->ops[i].args[k]; k++) {
            if (k) lx_buf_putc(&b, ',');
            lx_put_jstr(&b, e->ops[i].args[k], strlen(e->ops[i].args[k]));
        }
        lx_buf_puts(&b, "]}");
    }
    lx_buf_puts(&b, "]}");
    char *r = lx_export_cstr(&b);
    lx_release(&cx);
    return r;
}

/** larql_call's body: parse args (JSON null on failure), dispatch by op name, wrap the value in an ExpertResult. */
LX_API char *lx_call(const lx_expert *e, const char *op, size_t op_len, const char *args, size_t args_len) {
    const lx_op *found = NULL;
    for (size_t i = 0; i < e->n_ops; i++)
        if (lx_eq(op, op_len, e->ops[i].name)) { found = &e->ops[i]; break; }
    if (!found) return NULL;
    lx_ctx cx = { NULL };
    jv *a = lx_parse(&cx, args, args_len);
    if (!a) a = jv_null(&cx);
    jv *v = found->fn(&cx, a);
    char *r = NULL;
    if (v) {
        lx_buf b; lx_buf_init(&b, &cx);
        lx_buf_puts(&b, "{\"value\":");
        lx_write(&b, v);
        lx_buf_puts(&b, ",\"confidence\":1.0,\"latency_ns\":0,\"expert_id\":");
        lx_put_jstr(&b, e->id, strlen(e->id));
        lx_buf_puts(&b, ",\"op\":");
        lx_put_jstr(&b, op, op_len);
        lx_buf_putc(&b, '}');
        r = lx_export_cstr(&b);
    }
    lx_release(&cx);
    return r;
}

/**
 * Define the expert and its four ABI exports. Put this once, at the end of the expert's source:
 *   LARQL_EXPERT("arithmetic", 1, "description", "0.2.0", OPS)
 * where OPS is a static const lx_op array.
 */
#define LARQL_EXPERT(ID, TIER, DESC, VERSION, OPS)                                              \
    static const lx_expert lx_the_expert = { ID, TIER, DESC, VERSION, OPS,                     \
                                             sizeof(OPS) / sizeof((OPS)[0]) };                 \
    LX_EXPORT(larql_alloc) void *larql_alloc(size_t len) { return malloc(len ? len : 1); }     \
    LX_EXPORT(larql_dealloc) void larql_dealloc(void *ptr, size_t len) { (void)len; free(ptr); } \
    LX_EXPORT(larql_call) char *larql_call(const char *op, size_t op_len, const char *args,    \
                                           size_t args_len) {                                  \
        return lx_call(&lx_the_expert, op, op_len, args, args_len);                            \
    }                                                                                          \
    LX_EXPORT(larql_metadata) char *larql_metadata(void) { return lx_metadata(&lx_the_expert); }

#endif /* LARQL_EXPERT_H */
