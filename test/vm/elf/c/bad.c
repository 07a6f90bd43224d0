// Test object for the ELF loader's refusals: an extern helper nobody registers, and a pointer
// initialised in .data (a relocation inside data, which program images cannot express).
extern long no_such_helper(long x);
const char *greeting = "hello";

__attribute__((section("xbgp/unknown_helper"), used)) long unknown_helper(void) { return no_such_helper(1); }

__attribute__((section("xbgp/data_pointer"), used)) long data_pointer(void) { return greeting[0]; }

__attribute__((section("xbgp/fine"), used)) long fine(void) { return 7; }
