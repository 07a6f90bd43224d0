# node-gyp build of the native socket-option addon (daemon/native/sockopt.c -> build/Release/sockopt.node).
# npm runs `node-gyp rebuild` automatically during `npm install` / `npm ci` because this file exists.
{
  "targets": [
    {
      "target_name": "sockopt",
      "sources": ["daemon/native/sockopt.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra", "-Werror=implicit-function-declaration"]
    }
  ]
}
