// Prime counting by trial division: the workload of bench/vm-elf-bench.ts, compiled twice from this
// one file. With `clang -O2 -target bpf` the program `count_primes_prog` reads N from its context
// memory (r1) and returns the number of primes below N; with `gcc -O2` the `main` below times the same
// function natively: `primes-native N REPEATS` prints "count wall_ns cpu_ns", the best wall and CPU
// (process) times of REPEATS runs.

/* The number of primes below n, by trial division (the loop the uBPF figure was taken with). */
static __attribute__((noinline)) long count_primes(unsigned long n) {
  long count = 0;
  for (unsigned long i = 2; i < n; i++) {
    int prime = 1;
    for (unsigned long j = 2; j * j <= i; j++) {
      if (i % j == 0) {
        prime = 0;
        break;
      }
    }
    count += prime;
  }
  return count;
}

#ifdef __bpf__
/* Context: one little-endian u64, N. */
__attribute__((section("bench/primes"), used)) long count_primes_prog(unsigned long *ctx) {
  return count_primes(ctx[0]);
}
#else
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s N REPEATS\n", argv[0]);
    return 2;
  }
  /* Read N at run time so the compiler cannot fold the count. */
  unsigned long n = strtoul(argv[1], NULL, 10);
  int repeats = atoi(argv[2]);
  long count = 0;
  long long best_wall = -1, best_cpu = -1;
  for (int r = 0; r < repeats; r++) {
    struct timespec w0, w1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    count = count_primes(n);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    long long wall = (w1.tv_sec - w0.tv_sec) * 1000000000LL + (w1.tv_nsec - w0.tv_nsec);
    long long cpu = (c1.tv_sec - c0.tv_sec) * 1000000000LL + (c1.tv_nsec - c0.tv_nsec);
    if (best_wall < 0 || wall < best_wall) best_wall = wall;
    if (best_cpu < 0 || cpu < best_cpu) best_cpu = cpu;
  }
  printf("%ld %lld %lld\n", count, best_wall, best_cpu);
  return 0;
}
#endif
