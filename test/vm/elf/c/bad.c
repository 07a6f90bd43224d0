// Test object for the ELF loader's refusals: an extern helper nobody registers, and a function pointer
// initialised in .data (a pointer into code, which data pointers cannot express).
extern long no_such_helper(long x);
long fine(void);
long (*callback)(void) = fine;

__attribute__((section("xbgp/unknown_helper"), used)) long unknown_helper(void) { return no_such_helper(1); }

__attribute__((section("xbgp/data_pointer"), used)) long data_pointer(void) { return callback != 0; }

__attribute__((section("xbgp/fine"), used)) long fine(void) { return 7; }
