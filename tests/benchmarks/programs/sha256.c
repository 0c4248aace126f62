/* Integer hashing: n passes of SHA-256 over a 1 MiB buffer (each pass's digest is written back
 * into the buffer's first words), then FNV-1a over the buffer. */
#include "bench.h"

#define SIZE (1u << 20)

static uint8_t data[SIZE];

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

static inline uint32_t rotr(uint32_t x, uint32_t r) { return (x >> r) | (x << (32u - r)); }

static void compress(uint32_t st[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

/* SHA-256 of data[0..SIZE) (a multiple of 64 bytes, so the padding is one extra block). */
static void sha256(uint32_t st[8])
{
    static const uint32_t init[8] = { 0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                      0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u };
    for (int i = 0; i < 8; i++)
        st[i] = init[i];
    for (uint32_t off = 0; off < SIZE; off += 64)
        compress(st, data + off);
    uint8_t pad[64] = { 0x80 };
    uint64_t bits = (uint64_t)SIZE * 8u;
    for (int i = 0; i < 8; i++)
        pad[63 - i] = (uint8_t)(bits >> (8 * i));
    compress(st, pad);
}

BENCH_EXPORT(run) uint32_t run(int32_t n)
{
    uint32_t x = 88172645u;
    for (uint32_t i = 0; i < SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (uint8_t)(x >> 7);
    }
    uint32_t st[8] = { 0 };
    for (int32_t pass = 0; pass < n; pass++) {
        sha256(st);
        for (int i = 0; i < 8; i++) {
            data[4 * i] = (uint8_t)(st[i] >> 24);
            data[4 * i + 1] = (uint8_t)(st[i] >> 16);
            data[4 * i + 2] = (uint8_t)(st[i] >> 8);
            data[4 * i + 3] = (uint8_t)st[i];
        }
    }
    uint32_t fnv = 2166136261u;
    for (uint32_t i = 0; i < SIZE; i++)
        fnv = (fnv ^ data[i]) * 16777619u;
    uint32_t h = fnv;
    for (int i = 0; i < 8; i++)
        h = bench_mix(h, st[i]);
    return h;
}
