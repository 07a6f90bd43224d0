// Test object for the ELF loader: static sub-functions in .text called from named sections, a
// static callee in the same section, a global function in .text, and two programs in .text.
static __attribute__((noinline)) long triple(long x) { return x * 3; }
static __attribute__((noinline)) long add_one(long x) { return x + 1; }

/* A global function in .text, also a program of its own: 7 * 3 + 1 = 22. */
__attribute__((noinline)) long text_prog(void) { return add_one(triple(7)); }

/* A second global program in .text that calls the first: 22 + 3 * 2 = 28. */
long text_prog_two(void) { return text_prog() + triple(2); }

/* A static helper in the same named section as its caller. */
__attribute__((section("xbgp/calls"), noinline)) static long square(long x) { return x * x; }

/* Read at run time so clang cannot fold square(5) into a constant. */
static volatile long five = 5;

/* 5^2 + (4 * 3) + 1 + 22 = 60: calls a same-section static, .text statics and a .text global. */
__attribute__((section("xbgp/calls"), used)) long calls(void) {
  return square(five) + add_one(triple(4)) + text_prog();
}

/* Recursion through a local call: factorial of 5 = 120. */
static __attribute__((noinline)) long fact(long n) { return n <= 1 ? 1 : n * fact(n - 1); }
__attribute__((section("xbgp/fact"), used)) long factorial(void) { return fact(5); }

/* A function pointer to a .text static and one to a .text global (lddw of a code address). */
__attribute__((section("xbgp/pointer"), used)) long pointer(long pick) {
  long (*fn)(long) = pick > 0 ? triple : add_one;
  long (*other)(void) = text_prog;
  return fn(10) + other();
}
