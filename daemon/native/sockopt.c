/* Node-API addon: per-socket IP TTL / hop limit and the minimum accepted TTL (GTSM, RFC 5082) on a
 * TCP socket, which Node.js has no API for. Loaded through daemon/native/sockopt.ts; built by
 * node-gyp from binding.gyp at `npm ci`. Every function returns a number and never throws: a value
 * >= 0 is the result, a negative value is -errno (EINVAL for bad arguments). */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <node_api.h>

#ifndef IP_MINTTL
#define IP_MINTTL 21 /* Linux <linux/in.h> */
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73 /* Linux <linux/in6.h> */
#endif

/* Which option pair a call works on: the sent TTL (hop limit) or the minimum received one. */
enum which { SENT_TTL, MIN_TTL };

static int option_of(int family, enum which which, int *level, int *name) {
  if (family == 4) {
    *level = IPPROTO_IP;
    *name = which == SENT_TTL ? IP_TTL : IP_MINTTL;
    return 0;
  }
  if (family == 6) {
    *level = IPPROTO_IPV6;
    *name = which == SENT_TTL ? IPV6_UNICAST_HOPS : IPV6_MINHOPCOUNT;
    return 0;
  }
  return -EINVAL;
}

static int set_option(int fd, int family, enum which which, int value) {
  int level, name;
  if (fd < 0 || value < 1 || value > 255) return -EINVAL;
  if (option_of(family, which, &level, &name) != 0) return -EINVAL;
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) return -errno;
  /* An IPv6 socket may carry IPv4 traffic (IPv4-mapped peers on a "::" listener); Linux takes the
   * IPv4 TTL and minimum TTL of such packets from the IPv4 options, so set those too. An AF_INET6
   * socket that is IPv6-only may refuse them: that does not matter. */
  if (family == 6 && option_of(4, which, &level, &name) == 0) {
    (void)setsockopt(fd, level, name, &value, sizeof value);
  }
  return 0;
}

static int get_option(int fd, int family, enum which which) {
  int level, name, value = 0;
  socklen_t length = sizeof value;
  if (fd < 0) return -EINVAL;
  if (option_of(family, which, &level, &name) != 0) return -EINVAL;
  if (getsockopt(fd, level, name, &value, &length) != 0) return -errno;
  return value;
}

/* Read up to three int32 arguments; missing or non-number arguments leave the count short. */
static int read_ints(napi_env env, napi_callback_info info, int32_t *out, size_t wanted) {
  napi_value argv[3];
  size_t argc = 3;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < wanted) return -1;
  for (size_t i = 0; i < wanted; i++) {
    napi_valuetype type;
    if (napi_typeof(env, argv[i], &type) != napi_ok || type != napi_number) return -1;
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) return -1;
  }
  return 0;
}

static napi_value number(napi_env env, int value) {
  napi_value result = NULL;
  napi_create_int32(env, value, &result);
  return result;
}

/* setTtl(fd, family, ttl) -> 0 | -errno */
static napi_value set_ttl(napi_env env, napi_callback_info info) {
  int32_t a[3];
  if (read_ints(env, info, a, 3) != 0) return number(env, -EINVAL);
  return number(env, set_option(a[0], a[1], SENT_TTL, a[2]));
}

/* setMinTtl(fd, family, minTtl) -> 0 | -errno */
static napi_value set_min_ttl(napi_env env, napi_callback_info info) {
  int32_t a[3];
  if (read_ints(env, info, a, 3) != 0) return number(env, -EINVAL);
  return number(env, set_option(a[0], a[1], MIN_TTL, a[2]));
}

/* getTtl(fd, family) -> ttl | -errno */
static napi_value get_ttl(napi_env env, napi_callback_info info) {
  int32_t a[2];
  if (read_ints(env, info, a, 2) != 0) return number(env, -EINVAL);
  return number(env, get_option(a[0], a[1], SENT_TTL));
}

/* getMinTtl(fd, family) -> minimum TTL (0 = off) | -errno */
static napi_value get_min_ttl(napi_env env, napi_callback_info info) {
  int32_t a[2];
  if (read_ints(env, info, a, 2) != 0) return number(env, -EINVAL);
  return number(env, get_option(a[0], a[1], MIN_TTL));
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"setTtl", NULL, set_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setMinTtl", NULL, set_min_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getTtl", NULL, get_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getMinTtl", NULL, get_min_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
