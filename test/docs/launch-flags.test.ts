// The daemon's V8 flags (daemon/cli/node-flags.ts) are the ones every way of starting it passes: the
// `xbgpd` executable's first line, `npm start` and the container's entry point, which cannot import
// them. A flag added or changed in one place and not the others fails here.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAEMON_NODE_FLAGS } from '../../daemon/cli/node-flags.js';
import { repoRoot } from '../helpers/env.js';

const read = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');

describe('daemon/cli/node-flags: every launcher passes the same V8 flags', function () {
  it('the xbgpd executable (its #! line)', function () {
    const first = read('daemon/cli/xbgpd.ts').split('\n')[0]!;
    expect(first).to.equal(['#!/usr/bin/env -S node', ...DAEMON_NODE_FLAGS].join(' '));
  });

  it('npm start', function () {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['start']!;
    expect(start.split(' ').slice(0, 1 + DAEMON_NODE_FLAGS.length)).to.deep.equal([
      'node',
      ...DAEMON_NODE_FLAGS,
    ]);
    expect(start).to.include('dist/daemon/cli/xbgpd.js');
  });

  it("the container's entry point", function () {
    const line = read('Containerfile')
      .split('\n')
      .find((l) => l.startsWith('ENTRYPOINT '))!;
    const entry = JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
    expect(entry).to.deep.equal(['node', ...DAEMON_NODE_FLAGS, '/opt/xbgpd/dist/daemon/cli/xbgpd.js']);
  });
});
