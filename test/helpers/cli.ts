// Running a CLI entry point in-process for the tests: stdout and stderr captured (decoded as `encoding`)
// while `main` runs, restored afterwards whatever happens.
export async function captureCli(
  main: () => Promise<number>,
  encoding: BufferEncoding = 'utf8',
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = [process.stdout.write, process.stderr.write] as const;
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(encoding));
      return true;
    };
  process.stdout.write = capture(out) as typeof process.stdout.write;
  process.stderr.write = capture(err) as typeof process.stderr.write;
  try {
    const code = await main();
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    [process.stdout.write, process.stderr.write] = saved;
  }
}
