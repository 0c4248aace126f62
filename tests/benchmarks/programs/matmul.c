/* Float-heavy linear algebra on 200 x 200 f64 matrices: run(n) fills A and B, then n times
 * accumulates C += A x B (8 million multiply-adds each). The checksum folds the bits of every
 * element of C. */
#include "bench.h"

#define N 200

static double a[N * N];
static double b[N * N];
static double c[N * N];

BENCH_EXPORT(run) uint32_t run(int32_t n)
{
    for (int32_t i = 0; i < N; i++)
        for (int32_t j = 0; j < N; j++) {
            a[i * N + j] = (double)((i * 31 + j * 17) % 101) / (double)(i + j + 1);
            b[i * N + j] = (double)((i * 13 + j * 7) % 89) * 0.25 - 5.5;
            c[i * N + j] = 0.0;
        }
    for (int32_t rep = 0; rep < n; rep++)
        /* i-k-j order: the inner loop streams a row of B and a row of C. */
        for (int32_t i = 0; i < N; i++)
            for (int32_t k = 0; k < N; k++) {
                double aik = a[i * N + k];
                for (int32_t j = 0; j < N; j++)
                    c[i * N + j] += aik * b[k * N + j];
            }
    uint32_t h = 0;
    for (int32_t i = 0; i < N * N; i++) {
        union { double d; uint64_t u; } v = { c[i] };
        h = bench_mix(h, (uint32_t)v.u ^ (uint32_t)(v.u >> 32));
    }
    return h;
}
