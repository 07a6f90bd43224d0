// The V8 flags the daemon runs with, wherever it is started: the `xbgpd` executable's first line, `npm
// start`, the container's entry point, the benchmarks and the lab tests (test/docs checks that the first
// three carry exactly these). A young generation of at most 4 MiB per semi-space instead of V8's 16: a
// full table then peaks some 25 MiB lower at the same CPU time or less (bench/README.md).
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
