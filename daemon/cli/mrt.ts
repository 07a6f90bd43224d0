// xbgpctl mrt: MRT file tools. `mrt dump FILE [--json]` prints one line per route, withdrawal or state change,
// exactly as `bgpdump -m` does (or JSON lines, schema in daemon/mrt/README.md). Input may be plain, gzip or
// bzip2. A damaged or cut file prints every complete record, then one warning on stderr. Nothing is left out
// silently: records of unknown types or subtypes, malformed ones and BGP messages that do not decode are
// counted, and at the end one warning per kind says how many, the first record and why (with --json, an entry
// per record too). BGP4MP messages an older BIRD wrote with ADD-PATH path identifiers in a non-ADDPATH subtype
// are read with them, said once on stderr.
//
// Exit status: 0 read to the end; 1 the file cannot be read; 2 usage error; 3 the input is damaged or cut
// (everything before the damage was printed); 4 records or parts of records were left out (the warnings say
// which); 3 wins over 4.
import { dumpMrt, type DumpFormat } from '../mrt/dump.js';
import { MrtError } from '../mrt/errors.js';

const USAGE = `usage: xbgpctl mrt dump FILE [--json]

Print an MRT file (RFC 6396: TABLE_DUMP, TABLE_DUMP_V2, BGP4MP, BGP4MP_ET, and the deprecated BGP type;
plain, gzip or bzip2) one line per route or message, in the format of 'bgpdump -m'.

  --json   one JSON object per line instead (schema: daemon/mrt/README.md)

exit status: 0 done, 1 cannot read FILE, 2 usage error, 3 input damaged or cut (complete records printed),
4 records left out (unknown type or subtype, malformed, BGP message that does not decode; warned on stderr)`;

export const EXIT_OK = 0;
export const EXIT_READ_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_DAMAGED = 3;
export const EXIT_SKIPPED = 4;

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help') {
    process.stdout.write(USAGE + '\n');
    return EXIT_OK;
  }
  if (sub !== 'dump') {
    process.stderr.write(
      (sub === undefined ? 'xbgpctl mrt: missing subcommand' : `xbgpctl mrt: unknown subcommand '${sub}'`) +
        '\n' +
        USAGE +
        '\n',
    );
    return EXIT_USAGE;
  }
  let format: DumpFormat = 'bgpdump';
  const files: string[] = [];
  for (const arg of rest) {
    if (arg === '--json') format = 'json';
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE + '\n');
      return EXIT_OK;
    } else if (arg.startsWith('-') && arg !== '-') {
      process.stderr.write(`xbgpctl mrt dump: unknown option '${arg}'\n${USAGE}\n`);
      return EXIT_USAGE;
    } else files.push(arg);
  }
  if (files.length !== 1) {
    process.stderr.write(`xbgpctl mrt dump: expected exactly one FILE\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const file = files[0]!;
  // EPIPE (the reader of stdout went away) ends the dump quietly; dumpMrt sees it and stops reading.
  process.stdout.on('error', () => {});
  try {
    const result = await dumpMrt(file, process.stdout, format);
    if (result.outputClosed) return EXIT_OK;
    const ap = result.addPathInPlain;
    if (ap) {
      process.stderr.write(
        `xbgpctl mrt dump: note: ${file}: ${ap.count} BGP4MP ${plural(ap.count, 'message')} of a non-ADDPATH subtype carried ADD-PATH path identifiers (as older BIRD versions wrote them) and ${ap.count === 1 ? 'was' : 'were'} read with them (first: record ${ap.first})\n`,
      );
    }
    for (const s of result.skips) {
      process.stderr.write(
        `xbgpctl mrt dump: warning: ${file}: ${s.count} ${plural(s.count, 'record')} left out: ${s.reason} (first: record ${s.first}) [${s.code}]\n`,
      );
    }
    if (result.warning) {
      process.stderr.write(
        `xbgpctl mrt dump: warning: ${file}: ${result.warning.message}; ${result.warning.records} complete records were printed [${result.warning.code}]\n`,
      );
      return EXIT_DAMAGED;
    }
    return result.skips.length > 0 ? EXIT_SKIPPED : EXIT_OK;
  } catch (err) {
    if (err instanceof MrtError) {
      process.stderr.write(`xbgpctl mrt dump: ${err.message} [${err.code}]\n`);
      return EXIT_READ_ERROR;
    }
    throw err;
  }
}

function plural(n: number, word: string): string {
  return n === 1 ? word : word + 's';
}
