/* Native harness: links with one benchmark program and times its run(n).
 * usage: PROGRAM.native N REPS   ->  prints one JSON line:
 *   {"checksum":C,"times_ms":[t1,...]}   (wall time of each run(n) call, CLOCK_MONOTONIC) */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint32_t run(int32_t n);

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s N REPS\n", argv[0]);
        return 2;
    }
    int32_t n = (int32_t)atoi(argv[1]);
    int reps = atoi(argv[2]);
    if (reps < 1) {
        fprintf(stderr, "REPS must be >= 1\n");
        return 2;
    }
    uint32_t checksum = 0;
    printf("{\"checksum\":");
    double *times = malloc(sizeof(double) * (size_t)reps);
    for (int r = 0; r < reps; r++) {
        double t0 = now_ms();
        uint32_t c = run(n);
        times[r] = now_ms() - t0;
        if (r > 0 && c != checksum) {
            fprintf(stderr, "checksum changed between runs: %u then %u\n", checksum, c);
            return 1;
        }
        checksum = c;
    }
    printf("%u,\"times_ms\":[", checksum);
    for (int r = 0; r < reps; r++)
        printf("%s%.4f", r ? "," : "", times[r]);
    printf("]}\n");
    free(times);
    return 0;
}
