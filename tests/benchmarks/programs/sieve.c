/* Memory-heavy loops over 2 x 4 MiB byte arrays: a sieve of Eratosthenes, then n passes of a
 * byte transform (gather with a stride, xor, reverse copy) and a running sum. */
#include "bench.h"

#define SIZE (4u << 20)
#define MASK (SIZE - 1u)

static uint8_t flags[SIZE];
static uint8_t work[SIZE];

BENCH_EXPORT(run) uint32_t run(int32_t n)
{
    /* Sieve: flags[i] = 1 when i is prime. */
    for (uint32_t i = 0; i < SIZE; i++)
        flags[i] = (uint8_t)(i & 1u);
    flags[1] = 0;
    flags[2] = 1;
    for (uint32_t i = 3; i * i < SIZE; i += 2)
        if (flags[i])
            for (uint32_t j = i * i; j < SIZE; j += 2 * i)
                flags[j] = 0;
    uint32_t primes = 0;
    for (uint32_t i = 0; i < SIZE; i++)
        primes += flags[i];

    /* Fill work[] with xorshift32 bytes. */
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        work[i] = (uint8_t)x;
    }

    uint32_t sum = primes;
    for (int32_t pass = 0; pass < n; pass++) {
        /* Strided gather into flags[], xored with the prime flags... */
        for (uint32_t i = 0; i < SIZE; i++)
            flags[i] = (uint8_t)(work[(i * 7919u + (uint32_t)pass) & MASK] ^ (flags[i] * 0x5bu));
        /* ...then reversed back into work[] with a running sum. */
        for (uint32_t i = 0; i < SIZE; i++) {
            uint8_t v = flags[SIZE - 1u - i];
            work[i] = (uint8_t)(v + (uint8_t)i);
            sum = sum * 31u + v;
        }
    }
    return bench_mix(primes, sum);
}
