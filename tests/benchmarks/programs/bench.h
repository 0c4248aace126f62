/* Shared by every benchmark program: the export macro and the checksum mixer.
 * Every program defines  uint32_t run(int32_t n)  which does a fixed amount of work scaled by n
 * and returns a checksum of its results, so native, V8 and the interpreter can be compared. */
#ifndef POLYMATH_BENCH_H
#define POLYMATH_BENCH_H
#include <stdint.h>

#if defined(__wasm__)
#define BENCH_EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#else
#define BENCH_EXPORT(name)
#endif

/* A 32-bit mixer (murmur3 finalizer) used to fold results into the checksum. */
static inline uint32_t bench_mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}
#endif
