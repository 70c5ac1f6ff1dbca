/* Shared by the bench programs: a QueryPerformanceCounter clock and the one
 * result line bench/run.sh parses ("key=value" pairs, one line). */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <windows.h>

static inline double bench_now(void)
{
    static LARGE_INTEGER frequency;
    LARGE_INTEGER now;
    if (!frequency.QuadPart)
        QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&now);
    return (double)now.QuadPart / (double)frequency.QuadPart;
}

static inline double bench_mib_per_s(unsigned long long bytes, double seconds)
{
    return seconds > 0 ? (double)bytes / (1024.0 * 1024.0) / seconds : 0.0;
}

static inline void bench_print_result(const char *name, unsigned long long bytes, double seconds)
{
    printf("result %s bytes=%llu seconds=%.6f mib_per_s=%.2f\n", name, bytes, seconds,
           bench_mib_per_s(bytes, seconds));
    fflush(stdout);
}

#endif
