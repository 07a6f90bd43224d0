/*
 * xbgpd plugin build: <stdlib.h>. Plugins use its EXIT_SUCCESS and EXIT_FAILURE as return codes
 * (bgp_decode_attr, bgp_decode_message). The allocation functions are declared so that sources
 * written for a C library compile, but they are not helpers: a plugin calling them is refused at
 * load. Plugin memory comes from ctx_malloc, ctx_calloc, ctx_realloc and ctx_free.
 */
#ifndef XBGPD_LIBC_STDLIB_H
#define XBGPD_LIBC_STDLIB_H

#include <sys/cdefs.h>
#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);

#endif /* XBGPD_LIBC_STDLIB_H */
