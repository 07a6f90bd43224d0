// Test object for the ELF loader: code only in static .text functions, so the object offers no
// program of its own; a caller may still select a function by name.
__attribute__((used)) static long only_static(void) { return 11; }
