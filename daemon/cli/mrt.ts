// xbgpctl mrt: placeholder until the mrt subcommand lands.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('xbgpctl mrt: not available yet\n');
  return 1;
}
