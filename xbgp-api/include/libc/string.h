/*
 * xbgpd plugin build: <string.h>. clang turns memcpy, memmove and memset with a size known at
 * compile time into plain loads and stores, so those calls never reach the host. Any other call
 * (a variable size, memcmp or the str* functions when clang keeps them) is a call to a function
 * that is not a helper, and xbgpd refuses the plugin at load naming it. For variable sizes use the
 * helpers ebpf_memcpy and ebpf_memcmp.
 */
#ifndef XBGPD_LIBC_STRING_H
#define XBGPD_LIBC_STRING_H

#include <sys/cdefs.h>
#include <stddef.h>

void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *s1, const void *s2, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *s1, const char *s2);
int strncmp(const char *s1, const char *s2, size_t n);
char *strcpy(char *dest, const char *src);
char *strncpy(char *dest, const char *src, size_t n);

#endif /* XBGPD_LIBC_STRING_H */
