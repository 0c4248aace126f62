/* simd_kernels — a test expert for the SIMD128 tiers (tests/Fixtures/simd_kernels/README.md).
 * One source, two builds: with -msimd128 the kernels use wasm_simd128.h (v128 loads, f32x4 mul/add, shuffles,
 * lane extracts); without it the same arithmetic in the same order in scalar C. Both builds give the same bits. */
#include "larql_expert.h"
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

/* Dot product of n floats: four partial sums (lane i sums elements i, i+4, ...), then (s0+s1)+(s2+s3), then the tail. */
static float dot_f32(const float *a, const float *b, size_t n) {
    size_t i = 0;
#if defined(__wasm_simd128__)
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (; i + 4 <= n; i += 4)
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    float s0 = wasm_f32x4_extract_lane(acc, 0), s1 = wasm_f32x4_extract_lane(acc, 1);
    float s2 = wasm_f32x4_extract_lane(acc, 2), s3 = wasm_f32x4_extract_lane(acc, 3);
#else
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3];
    }
#endif
    float s = (s0 + s1) + (s2 + s3);
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

/* c = a x b, 4x4 row-major: row i of c = sum over k of a[i][k] * row k of b (k in order). */
static void matmul4(const float *a, const float *b, float *c) {
#if defined(__wasm_simd128__)
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4), b2 = wasm_v128_load(b + 8), b3 = wasm_v128_load(b + 12);
    for (int i = 0; i < 4; i++) {
        v128_t r = wasm_v128_load(a + 4 * i);
        v128_t acc = wasm_f32x4_mul(wasm_i32x4_shuffle(r, r, 0, 0, 0, 0), b0);
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_i32x4_shuffle(r, r, 1, 1, 1, 1), b1));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_i32x4_shuffle(r, r, 2, 2, 2, 2), b2));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_i32x4_shuffle(r, r, 3, 3, 3, 3), b3));
        wasm_v128_store(c + 4 * i, acc);
    }
#else
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            float acc = a[4 * i] * b[j];
            for (int k = 1; k < 4; k++) acc += a[4 * i + k] * b[4 * k + j];
            c[4 * i + j] = acc;
        }
#endif
}

static float *floats_of(lx_ctx *cx, const jv *args, const char *key, size_t *n) {
    double *d; size_t k;
    if (!lx_arg_numlist(cx, args, key, &d, &k)) return NULL;
    float *f = (float *)lx_alloc(cx, (k ? k : 1) * sizeof(float));
    for (size_t i = 0; i < k; i++) f[i] = (float)d[i];
    *n = k;
    return f;
}

/* dot {a: [num], b: [num]} (same length) -> float */
static jv *op_dot(lx_ctx *cx, const jv *args) {
    size_t na, nb;
    float *a = floats_of(cx, args, "a", &na), *b = floats_of(cx, args, "b", &nb);
    if (!a || !b || na != nb) return NULL;
    return jv_float(cx, (double)dot_f32(a, b, na));
}

/* matmul4 {a: [16 num], b: [16 num]} -> [16 float], row-major */
static jv *op_matmul4(lx_ctx *cx, const jv *args) {
    size_t na, nb;
    float *a = floats_of(cx, args, "a", &na), *b = floats_of(cx, args, "b", &nb);
    if (!a || !b || na != 16 || nb != 16) return NULL;
    float c[16];
    matmul4(a, b, c);
    jv *out = jv_arr(cx);
    for (int i = 0; i < 16; i++) jv_push(cx, out, jv_float(cx, (double)c[i]));
    return out;
}

/* bench {n: uint, rounds: uint} -> float: a dot product of two generated n-float vectors and a chain of 4x4
 * products, repeated `rounds` times (the whole-process benchmark of docs/performance.md). */
static jv *op_bench(lx_ctx *cx, const jv *args) {
    uint64_t n, rounds;
    if (!lx_arg_uintx(args, "n", &n) || !lx_arg_uintx(args, "rounds", &rounds) || n == 0 || n > (1u << 20)) return NULL;
    float *a = (float *)lx_alloc(cx, n * sizeof(float)), *b = (float *)lx_alloc(cx, n * sizeof(float));
    for (uint64_t i = 0; i < n; i++) { a[i] = (float)(i % 17) * 0.25f; b[i] = (float)(i % 13) * 0.5f - 3.0f; }
    float m[16], x[16], y[16];
    for (int i = 0; i < 16; i++) { m[i] = (float)((i * 7) % 5) * 0.125f; x[i] = (i % 5 == 0) ? 1.0f : 0.0f; }
    float total = 0.0f;
    for (uint64_t r = 0; r < rounds; r++) {
        total += dot_f32(a, b, (size_t)n) * 1e-6f;
        matmul4(x, m, y);
        for (int i = 0; i < 16; i++) x[i] = y[i] * 0.5f + (i % 5 == 0 ? 0.5f : 0.0f);
    }
    for (int i = 0; i < 16; i++) total += x[i];
    return jv_float(cx, (double)total);
}

static const lx_op OPS[] = {
    {"dot", op_dot, {"a", "b"}},
    {"matmul4", op_matmul4, {"a", "b"}},
    {"bench", op_bench, {"n", "rounds"}},
};

#if defined(__wasm_simd128__)
#define SIMD_KERNELS_ID "simd_kernels"
#else
#define SIMD_KERNELS_ID "simd_kernels_scalar"
#endif
LARQL_EXPERT(SIMD_KERNELS_ID, 1, "f32 dot product and 4x4 matrix multiply (a SIMD128 test expert)", "0.1.0", OPS)
