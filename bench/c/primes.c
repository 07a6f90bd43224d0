// Prime counting by trial division: the workload of bench/vm-elf-bench.ts, compiled twice from this
// one file. With `clang -O2 -target bpf` the program `count_primes_prog` reads N from its context
// memory (r1) and returns the number of primes below N; with `gcc -O2` the `main` below times the same
// function natively: `primes-native N REPEATS` prints "count best_ns" (best of REPEATS runs).

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
  long long best = -1;
  for (int r = 0; r < repeats; r++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    count = count_primes(n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    if (best < 0 || ns < best) best = ns;
  }
  printf("%ld %lld\n", count, best);
  return 0;
}
#endif
