/*
 * xbgpd plugin build: <arpa/nameser.h> (DNS message definitions) is not available to plugins.
 * This header only exists so that published sources that include it without using it (the xBGP
 * monitoring example does) compile; it brings the basic type names.
 */
#ifndef XBGPD_LIBC_ARPA_NAMESER_H
#define XBGPD_LIBC_ARPA_NAMESER_H

#include <sys/types.h>

#endif /* XBGPD_LIBC_ARPA_NAMESER_H */
