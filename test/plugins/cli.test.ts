// `xbgpctl plugin build` and `xbgpctl plugin check`, in-process, on the C sources and manifests of
// fixtures/config/ compiled with clang at test time: objects written to -o DIR or beside the source,
// exit 2 with clang's messages for a source that does not compile; a plugin printed with its pluglets,
// points, anchors, seq, budgets, permissions and the helpers each calls (checked against the object's
// undefined symbols), and exit 2 with one coded line per error for a write helper without permission,
// a refused helper and a missing object.
import { expect } from 'chai';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureCli } from '../helpers/cli.js';
import { requireTools, repoRoot } from '../helpers/env.js';
import { main as pluginCli } from '../../daemon/cli/plugin.js';
import { readElf, SHN_UNDEF } from '../../vm/elf/reader.js';

const fixtures = join(repoRoot, 'test', 'plugins', 'fixtures', 'config');
const SOURCES = ['set_med', 'accept', 'fetch'];

function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return captureCli(() => pluginCli(argv));
}

/** The external functions an object calls: its undefined symbols. */
function undefinedSymbols(object: string): string[] {
  return readElf(new Uint8Array(readFileSync(object)))
    .symbols.filter((s) => s.shndx === SHN_UNDEF && s.name !== '')
    .map((s) => s.name)
    .sort();
}

describe('xbgpctl plugin build and check', function () {
  let dir: string;
  let objs: string;
  before(async function () {
    requireTools(this, 'clang');
    dir = mkdtempSync(join(tmpdir(), 'xbgpd-plugin-cli-'));
    objs = join(dir, 'objs');
    const r = await cli(['build', ...SOURCES.map((s) => join(fixtures, `${s}.c`)), '-o', objs]);
    if (r.code !== 0) throw new Error(`fixtures do not build:\n${r.err}`);
  });
  after(function () {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  describe('build', function () {
    it('compiles every source into -o DIR (created) and prints the object paths', async function () {
      const out = join(dir, 'new', 'deeper');
      const r = await cli(['build', join(fixtures, 'accept.c'), join(fixtures, 'set_med.c'), '-o', out]);
      expect(r).to.deep.include({ code: 0, err: '' });
      expect(r.out).to.equal(`${join(out, 'accept.o')}\n${join(out, 'set_med.o')}\n`);
      for (const o of ['accept.o', 'set_med.o'])
        expect([...readFileSync(join(out, o)).subarray(0, 4)]).to.deep.equal([0x7f, 0x45, 0x4c, 0x46]);
    });

    it('without -o, writes the object beside its source; passes arguments after -- to clang', async function () {
      const src = join(dir, 'beside.c');
      copyFileSync(join(fixtures, 'accept.c'), src);
      const r = await cli(['build', src, '--', '-Wall', '-Wextra', '-Werror']);
      expect(r).to.deep.equal({ code: 0, out: `${join(dir, 'beside.o')}\n`, err: '' });
      expect(existsSync(join(dir, 'beside.o'))).to.equal(true);
    });

    it("exits 2 with clang's messages when a source does not compile; the others are still built", async function () {
      const bad = join(dir, 'broken.c');
      writeFileSync(
        bad,
        '#include <xbgp_compliant_api/xbgp_plugin_api.h>\nuint64_t f(void) { return no_such; }\n',
      );
      const out = join(dir, 'mixed');
      const r = await cli(['build', bad, join(fixtures, 'accept.c'), '-o', out]);
      expect(r.code).to.equal(2);
      expect(r.out).to.equal(`${join(out, 'accept.o')}\n`);
      expect(r.err).to.include(`${bad}:`);
      expect(r.err).to.match(/broken\.c:2:\d+: error: use of undeclared identifier 'no_such'/);
      expect(existsSync(join(out, 'broken.o'))).to.equal(false);
    });

    it('usage errors exit 1', async function () {
      expect((await cli(['build'])).code).to.equal(1);
      expect((await cli(['build', 'x.c', '-o'])).code).to.equal(1);
      expect((await cli(['build', '--frobnicate', 'x.c'])).code).to.equal(1);
      expect((await cli(['frobnicate'])).code).to.equal(1);
    });
  });

  describe('check', function () {
    it('prints the plugin, its pluglets with point, anchor, seq, budget, permissions and helpers', async function () {
      const r = await cli([
        'check',
        join(fixtures, 'tag-med.plugin'),
        '--obj-dir',
        objs,
        '--extra-conf',
        join(fixtures, 'med.json'),
      ]);
      expect(r.err).to.equal('');
      expect(r.code).to.equal(0);
      const helpers = (name: string): string => undefinedSymbols(join(objs, `${name}.o`)).join(', ');
      expect(r.out.split('\n')).to.deep.equal([
        `plugin tag_med (${join(fixtures, 'tag-med.plugin')})`,
        '  memory: extra_mem 512, shared_mem 0, bump',
        `  objects: ${objs} (the object directory given)`,
        '  extra configuration: med',
        '  pluglet set_med (set_med.o): permissions read, usr_ptr, write',
        '    at bgp_pre_inbound_filter replace seq 10, budget 20000, jit',
        `    helpers: ${helpers('set_med')}`,
        '  pluglet accept (accept.o): permissions read',
        '    at bgp_pre_outbound_filter pre seq 3, budget 500, jit',
        '    depends-on attributes',
        `    helpers: ${helpers('accept')}`,
        '',
      ]);
      // The scan of the linked code finds what the object declares: a real list, with the write helper.
      expect(helpers('set_med')).to.include('set_attr');
      expect(helpers('accept')).to.equal('get_attr_from_code, next');
    });

    it('a write helper without the write permission: exit 2, the error names the helper', async function () {
      const r = await cli(['check', join(fixtures, 'no-write.plugin'), '--obj-dir', objs]);
      expect(r.code).to.equal(2);
      expect(r.out).to.equal('');
      const lines = r.err.trimEnd().split('\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(
        /no-write\.plugin: pluglet set_med: ERR_VM_HELPER_NOT_PERMITTED at pc \d+: set_attr needs the permissions \[write, usr_ptr\].*the pluglet has \[read\]$/,
      );
    });

    it('a pluglet calling fetch_file: exit 2, refused by name', async function () {
      const r = await cli(['check', join(fixtures, 'fetch.plugin'), '--obj-dir', objs]);
      expect(r.code).to.equal(2);
      expect(r.err.trimEnd().split('\n')).to.have.length(1);
      expect(r.err).to.match(
        /fetch\.plugin: pluglet fetch: ERR_PLUGIN_HELPER_REFUSED: .*fetch\.o: fetch_file reaches outside the router/,
      );
    });

    it('a missing object: exit 2, naming the pluglet key and the object', async function () {
      const r = await cli(['check', join(fixtures, 'missing-object.plugin'), '--obj-dir', objs]);
      expect(r.code).to.equal(2);
      expect(r.err).to.match(
        /^missing-object\.plugin: obj_code_list\.absent\.obj: object file '.*absent\.o' does not exist\n$/,
      );
    });

    it('without --obj-dir the objects are looked for beside the manifest', async function () {
      const r = await cli(['check', join(fixtures, 'tag-med.plugin')]);
      expect(r.code).to.equal(2);
      expect(r.err).to.include("obj_code_list.set_med.obj: object file 'set_med.o' does not exist");
      expect(r.err).to.include("obj_code_list.accept.obj: object file 'accept.o' does not exist");
    });

    it('a bad extra configuration file: exit 2 with its error', async function () {
      const conf = join(dir, 'bad-conf.json');
      writeFileSync(conf, '{"conf": {"med": {"type_arg": "int", "arg": "fifty"}}}');
      const r = await cli([
        'check',
        join(fixtures, 'tag-med.plugin'),
        '--obj-dir',
        objs,
        '--extra-conf',
        conf,
      ]);
      expect(r.code).to.equal(2);
      expect(r.err).to.include(`${conf}: conf.med.arg: `);
    });

    it('usage errors exit 1', async function () {
      expect((await cli(['check'])).code).to.equal(1);
      expect((await cli(['check', 'a.plugin', 'b.plugin'])).code).to.equal(1);
      expect((await cli(['check', 'a.plugin', '--obj-dir'])).code).to.equal(1);
    });
  });
});
