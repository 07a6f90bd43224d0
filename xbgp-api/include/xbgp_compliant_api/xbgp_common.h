/*
 * xBGP plugin API for xbgpd: definitions shared by plugins and hosts.
 *
 * Return values 0..255 are reserved for plain codes (EXIT_SUCCESS, EXIT_FAILURE, the BPF_*
 * codes of xbgp_common_vm_defs.h, byte counts); the verdicts of the insertion points
 * (PLUGIN_FILTER_*, BGP_ROUTE_TYPE_* in xbgp_defs.h) start above HI_RESERVED_RETURN_VAL.
 *
 * HELPER_ATTR_* are the permission bits of a helper: a pluglet may call a helper only when the
 * manifest grants it every bit the helper requires ("read", "write", "usr_ptr"; "none" grants
 * nothing and is enough for the helpers that require nothing). xbgpd refuses at load a pluglet
 * that calls a helper it is not permitted, naming the helper.
 */
#ifndef XBGP_COMPLIANT_API_XBGP_COMMON_H
#define XBGP_COMPLIANT_API_XBGP_COMMON_H

#define LO_RESERVED_RETURN_VAL 0
#define HI_RESERVED_RETURN_VAL 255

#define HELPER_ATTR_NONE 0
/* The helper keeps or reads through a pointer the plugin passes (e.g. add_attr's data). */
#define HELPER_ATTR_USR_PTR 1
/* The helper changes router state (attributes, RIB, sessions, messages). */
#define HELPER_ATTR_WRITE 2
/* The helper reads router state (attributes, peers, routes). */
#define HELPER_ATTR_READ 4
#define HELPER_ATTR_MASK 7

/* The host's per-call state; plugins never see its contents. */
typedef struct context context_t;

#endif /* XBGP_COMPLIANT_API_XBGP_COMMON_H */
