// How plugins are compiled: the clang command line for the BPF target with the plugin API's include
// path (include/README.md explains each folder). Pure data for the tools that build plugins
// (`xbgpctl plugin build`, the tests); nothing here runs clang.

/**
 * Code generation flags: what xBGP's build used (`-O2`, BPF), with clang's BPF target directly.
 * `-fno-builtin-memcmp` stops clang from turning code into calls to memcmp, which is not a helper
 * (it rewrites `strncmp(s, "abc", 3)` into one; the published alternate_old_new plugin does that);
 * the BPF back end never inlines memcmp, so nothing is lost.
 */
export const PLUGIN_CFLAGS: readonly string[] = ['-O2', '-target', 'bpf', '-fno-builtin-memcmp'];

/** `-I` folders, relative to the `xbgp-api/` folder, in search order. */
export const PLUGIN_INCLUDE_DIRS: readonly string[] = [
  'include/xbgp_compliant_api',
  'include',
  'include/compat/nested',
];

/** `-isystem` folders, relative to `xbgp-api/`: the C library headers written for the BPF target. */
export const PLUGIN_SYSTEM_INCLUDE_DIRS: readonly string[] = ['include/libc'];

/** The include arguments for an API folder at `apiDir` (the `xbgp-api/` folder of a checkout). */
export function pluginIncludeArgs(apiDir: string): string[] {
  const at = (rel: string): string => `${apiDir.replace(/\/+$/, '')}/${rel}`;
  return [
    ...PLUGIN_INCLUDE_DIRS.flatMap((d) => ['-I', at(d)]),
    ...PLUGIN_SYSTEM_INCLUDE_DIRS.flatMap((d) => ['-isystem', at(d)]),
  ];
}

/** clang's arguments to compile `source` into the BPF object `output` (`extra`: e.g. `-Wall`, `-g`). */
export function pluginCompileArgs(
  apiDir: string,
  source: string,
  output: string,
  extra: readonly string[] = [],
): string[] {
  return [...PLUGIN_CFLAGS, ...pluginIncludeArgs(apiDir), ...extra, '-c', source, '-o', output];
}
