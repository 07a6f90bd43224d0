// Test object for the ELF loader: globals in .data, a table in .rodata, strings in .rodata.str1.1,
// a counter in .bss, and an extern helper resolved by name. Each program has its own section.
extern unsigned long sqrti(unsigned long x);
extern long strcmp_ext(const char *a, const char *b);

/* volatile keeps clang from folding the sums; both tables stay in .rodata. */
static const volatile int table[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
const volatile short squares[] = {0, 1, 4, 9, 16, 25, 36, 49};
const volatile long primes[] = {2, 3, 5, 7, 11, 13};
static volatile long counter;
long scale = 3;

/* Sum of the .rodata table: 55. */
__attribute__((section("xbgp/sum_table"), used)) long sum_table(void) {
  long sum = 0;
  for (int i = 0; i < 10; i++) sum += table[i];
  return sum;
}

/* Sum of a global .rodata array reached through its own symbol (st_value + imm): 140. */
__attribute__((section("xbgp/sum_squares"), used)) long sum_squares(void) {
  long sum = 0;
  for (int i = 0; i < 8; i++) sum += squares[i];
  return sum;
}

/* Sum of a second global .rodata array, which does not start the section: 41. */
__attribute__((section("xbgp/sum_primes"), used)) long sum_primes(void) {
  long sum = 0;
  for (int i = 0; i < 6; i++) sum += primes[i];
  return sum;
}

/* Increments the .bss counter; returns its new value. */
__attribute__((section("xbgp/count"), used)) long count(void) {
  return ++counter;
}

/* Reads and updates the .data global: returns the old value times 100 plus the new one. */
__attribute__((section("xbgp/scale"), used)) long bump_scale(void) {
  long before = scale;
  scale = before + 1;
  return before * 100 + scale;
}

/* strcmp of two .rodata.str1.1 strings through an extern helper: 0 when equal. */
__attribute__((section("xbgp/strings"), used)) long strings(void) {
  return strcmp_ext("route-map", "route-map") == 0 && strcmp_ext("abc", "abd") < 0 ? 1 : 0;
}

/* An extern helper with a constant argument: sqrti(1000000) = 1000. */
__attribute__((section("xbgp/sqrt"), used)) long root(void) {
  return (long)sqrti(1000000);
}
