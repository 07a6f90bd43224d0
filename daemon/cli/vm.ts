// xbgpctl vm: placeholder until the vm subcommand lands.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('xbgpctl vm: not available yet\n');
  return 1;
}
