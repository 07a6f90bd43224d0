// Test object for pointers initialised in data (R_BPF_64_ABS64 in .rel.data / .rel.rodata): the VM
// writes each one's address at load. A string pointer in .data, a constant table of strings in .rodata,
// a pointer into the middle of an array, a pointer to another global, and a pointer a program changes.
const char *greeting = "hello";
static const char *const words[] = {"alpha", "beta", "gamma"};
static const int table[] = {10, 20, 30, 40};
const int *third = &table[2];
struct pair { int a; int b; };
static struct pair one = {3, 4};
struct pair *const pair_ptr = &one;
const char *cursor = "xyz";

__attribute__((section("xbgp/greeting"), used)) long first_letter(void) { return greeting[0]; }

static const int letter_at[] = {0, 1, 4};
int rounds = 3; // in .data, so the loop is not folded away with the table

__attribute__((section("xbgp/words"), used)) long word_letters(void)
{
    long sum = 0;
    for (int i = 0; i < rounds && i < 3; i++)
        sum += words[i][letter_at[i]]; // 'a' + 'e' + 'a'
    return sum;
}

__attribute__((section("xbgp/third"), used)) long third_entry(void) { return third[0] + third[1]; }

__attribute__((section("xbgp/pair"), used)) long pair_sum(void)
{
    pair_ptr->a += 1;
    return pair_ptr->a * 10 + pair_ptr->b;
}

__attribute__((section("xbgp/cursor"), used)) long advance(void)
{
    char c = *cursor;
    if (c != 0)
        cursor++;
    return c;
}
