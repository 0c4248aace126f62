/* hash — larql's encoding/hash expert (Polymath C port). See README.md. */
#include "larql_expert.h"

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char HEX[] = "0123456789abcdef";

static jv *op_base64_encode(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "s", &s, &n)) return NULL;
    const unsigned char *u = (const unsigned char *)s;
    lx_buf b; lx_buf_init(&b, cx);
    for (size_t i = 0; i < n; i += 3) {
        unsigned b0 = u[i], b1 = i + 1 < n ? u[i + 1] : 0, b2 = i + 2 < n ? u[i + 2] : 0;
        lx_buf_putc(&b, B64[b0 >> 2]);
        lx_buf_putc(&b, B64[((b0 & 3) << 4) | (b1 >> 4)]);
        lx_buf_putc(&b, i + 1 < n ? B64[((b1 & 15) << 2) | (b2 >> 6)] : '=');
        lx_buf_putc(&b, i + 2 < n ? B64[b2 & 63] : '=');
    }
    return lx_buf_jv(&b);
}
static int b64_val(unsigned c) {
    if (c >= 'A' && c <= 'Z') return (int)(c - 'A');
    if (c >= 'a' && c <= 'z') return (int)(c - 'a' + 26);
    if (c >= '0' && c <= '9') return (int)(c - '0' + 52);
    if (c == '+') return 62;
    if (c == '/') return 63;
    if (c == '=') return 0;
    return -1;
}
static jv *op_base64_decode(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "s", &s, &n)) return NULL;
    unsigned char *t = (unsigned char *)lx_alloc(cx, n + 1);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') continue; /* is_ascii_whitespace */
        t[m++] = c;
    }
    if (m % 4) return NULL;
    lx_buf b; lx_buf_init(&b, cx);
    for (size_t i = 0; i < m; i += 4) {
        int v0 = b64_val(t[i]), v1 = b64_val(t[i + 1]), v2 = b64_val(t[i + 2]), v3 = b64_val(t[i + 3]);
        if (v0 < 0 || v1 < 0 || v2 < 0 || v3 < 0) return NULL;
        lx_buf_putc(&b, (char)(unsigned char)((v0 << 2) | (v1 >> 4)));
        if (t[i + 2] != '=') lx_buf_putc(&b, (char)(unsigned char)((v1 << 4) | (v2 >> 2)));
        if (t[i + 3] != '=') lx_buf_putc(&b, (char)(unsigned char)((v2 << 6) | v3));
    }
    if (!lx_utf8_valid(b.p, b.len)) return NULL;
    return lx_buf_jv(&b);
}
static jv *op_hex_encode(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "s", &s, &n)) return NULL;
    lx_buf b; lx_buf_init(&b, cx);
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        lx_buf_putc(&b, HEX[c >> 4]);
        lx_buf_putc(&b, HEX[c & 15]);
    }
    return lx_buf_jv(&b);
}
static int nib(unsigned c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}
static jv *op_hex_decode(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "s", &s, &n)) return NULL;
    lx_trim(&s, &n);
    while (n >= 2 && s[0] == '0' && s[1] == 'x') { s += 2; n -= 2; } /* trim_start_matches("0x") */
    while (n >= 2 && s[0] == '0' && s[1] == 'X') { s += 2; n -= 2; }
    if (n % 2) return NULL;
    lx_buf b; lx_buf_init(&b, cx);
    for (size_t i = 0; i < n; i += 2) {
        int hi = nib((unsigned char)s[i]), lo = nib((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0) return NULL;
        lx_buf_putc(&b, (char)(unsigned char)((hi << 4) | lo));
    }
    if (!lx_utf8_valid(b.p, b.len)) return NULL;
    return lx_buf_jv(&b);
}
static jv *op_url_encode(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "s", &s, &n)) return NULL;
    lx_buf b; lx_buf_init(&b, cx);
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~')
            lx_buf_putc(&b, (char)c);
        else { lx_buf_putc(&b, '%'); lx_buf_putc(&b, HEX[c >> 4]); lx_buf_putc(&b, HEX[c & 15]); }
    }
    return lx_buf_jv(&b);
}
static jv *op_url_decode(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "s", &s, &n)) return NULL;
    lx_buf b; lx_buf_init(&b, cx);
    size_t i = 0;
    while (i < n) {
        if (s[i] == '%' && i + 2 < n) {
            int hi = nib((unsigned char)s[i + 1]), lo = nib((unsigned char)s[i + 2]);
            if (hi >= 0 && lo >= 0) { lx_buf_putc(&b, (char)(unsigned char)((hi << 4) | lo)); i += 3; continue; }
        }
        lx_buf_putc(&b, s[i] == '+' ? ' ' : s[i]);
        i++;
    }
    if (!lx_utf8_valid(b.p, b.len)) return jv_str(cx, ""); /* larql: from_utf8(..).unwrap_or_default() */
    return lx_buf_jv(&b);
}
static jv *op_fnv1a_32(lx_ctx *cx, const jv *a) {
    const char *s; size_t n;
    if (!lx_arg_str(a, "s", &s, &n)) return NULL;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 16777619u; }
    char t[11] = "0x";
    for (int k = 0; k < 8; k++) t[2 + k] = HEX[(h >> (28 - 4 * k)) & 15];
    return jv_strn(cx, t, 10);
}

static const lx_op OPS[] = {
    {"base64_encode", op_base64_encode, {"s"}},
    {"base64_decode", op_base64_decode, {"s"}},
    {"hex_encode", op_hex_encode, {"s"}},
    {"hex_decode", op_hex_decode, {"s"}},
    {"url_encode", op_url_encode, {"s"}},
    {"url_decode", op_url_decode, {"s"}},
    {"fnv1a_32", op_fnv1a_32, {"s"}},
};

LARQL_EXPERT("hash", 1, "Encoding: base64, hex, url (percent), FNV-1a 32-bit hash", "0.2.0", OPS)
