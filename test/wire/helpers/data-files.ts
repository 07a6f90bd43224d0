// The BGP4MP MRT files of ../shared/data the codec is checked against.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../../helpers/env.js';

export const DATA_DIR = join(sharedDir, 'data');

/** Paths of every BGP4MP updates file (ripe-bgpdump, caida-libbgpstream, ryu). */
export function updateFiles(): string[] {
  const out: string[] = [];
  const add = (dir: string, keep: (f: string) => boolean): void => {
    const d = join(DATA_DIR, dir);
    if (!existsSync(d)) return;
    for (const f of readdirSync(d).sort()) if (keep(f)) out.push(join(d, f));
  };
  add('ripe-bgpdump/test_data', (f) => f.startsWith('updates.'));
  add('caida-libbgpstream', (f) => f.includes('updates') || f.startsWith('ris.'));
  add('ryu/mrt', (f) => f.startsWith('updates.'));
  return out;
}
