/* Call-heavy recursion: the naive recursive Fibonacci. run(n) returns fib(n) (fib(30) = 832040). */
#include "bench.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

BENCH_EXPORT(run) uint32_t run(int32_t n)
{
    return fib((uint32_t)n);
}
