// The VM API beyond what text cases express: verifier rules on raw images (sizes, entry points,
// helper permissions, pluggable checks), data sections and lddw src=6, heap and shared regions,
// the helper memory interface, run contexts, and helpers that misbehave.
import { expect } from 'chai';
import {
  assemble,
  defaultChecks,
  FaultCodes,
  HelperRegistry,
  run,
  testHelpers,
  VerifyCodes,
  VerifyError,
  VmFault,
} from '../../vm/index.js';
import type {
  Helper,
  LoadedProgram,
  LoadOptions,
  ProgramImage,
  RunResult,
  VerifyCheck,
} from '../../vm/index.js';
import { MAX_INSNS } from '../../vm/opcodes.js';
import { forEachBackend, loadProgram } from './backends.js';

function image(text: string, extra: Partial<ProgramImage> = {}): ProgramImage {
  const code = assemble(text);
  if (!(code instanceof Uint8Array)) throw new Error(code.describe());
  return { code, entry: 0, data: [], ...extra };
}

function load(text: string, options: LoadOptions = {}, extra: Partial<ProgramImage> = {}): LoadedProgram {
  const loaded = loadProgram(image(text, extra), options);
  if (loaded instanceof VerifyError) throw new Error(loaded.describe());
  return loaded;
}

function ok(r: RunResult | VmFault): bigint {
  if (r instanceof VmFault) throw new Error(r.describe());
  return r.r0;
}

function rejection(img: ProgramImage, options: LoadOptions = {}): { code: string; pc: number } {
  const r = loadProgram(img, options);
  expect(r).to.be.instanceOf(VerifyError);
  const e = r as VerifyError;
  return { code: e.code, pc: e.pc };
}

forEachBackend('vm: verifier on images', function () {
  it('rejects code that is not a whole number of slots', function () {
    expect(rejection({ code: new Uint8Array(12), entry: 0, data: [] })).to.deep.equal({
      code: VerifyCodes.CODE_LENGTH,
      pc: -1,
    });
  });

  it(`accepts ${MAX_INSNS} instructions and rejects one more`, function () {
    const exit = [0x95, 0, 0, 0, 0, 0, 0, 0];
    const make = (n: number): ProgramImage => {
      const code = new Uint8Array(n * 8);
      for (let i = 0; i < n; i++) code.set(exit, i * 8);
      return { code, entry: 0, data: [] };
    };
    expect(loadProgram(make(MAX_INSNS))).not.to.be.instanceOf(VerifyError);
    expect(rejection(make(MAX_INSNS + 1))).to.deep.equal({ code: VerifyCodes.PROGRAM_SIZE, pc: -1 });
  });

  it('rejects an entry outside the program or inside an lddw', function () {
    const text = 'lddw %r0, 1\nexit';
    expect(rejection(image(text, { entry: 3 }))).to.deep.equal({ code: VerifyCodes.BAD_ENTRY, pc: -1 });
    expect(rejection(image(text, { entry: 1 }))).to.deep.equal({ code: VerifyCodes.BAD_ENTRY, pc: -1 });
    expect(ok(run(load(text, {}, { entry: 2 })))).to.equal(0n);
  });

  it('starts at the image entry', function () {
    expect(ok(run(load('mov %r0, 1\nexit\nmov %r0, 2\nexit', {}, { entry: 2 })))).to.equal(2n);
  });

  it('rejects helpers the program is not permitted to call', function () {
    const registry = new HelperRegistry();
    for (const h of testHelpers()) registry.register(h);
    registry.register({ id: 100, name: 'bgp_get_attr', permission: 'bgp.read', fn: () => 1n });
    const text = 'call 2\ncall 100\nexit';
    expect(rejection(image(text), { helpers: registry, permissions: new Set(['test']) })).to.deep.equal({
      code: VerifyCodes.HELPER_NOT_PERMITTED,
      pc: 1,
    });
    expect(
      loadProgram(image(text), { helpers: registry, permissions: new Set(['test', 'bgp.read']) }),
    ).not.to.be.instanceOf(VerifyError);
    // A predicate works too.
    expect(
      rejection(image(text), { helpers: registry, permissions: (h: Helper) => h.id < 50 }).code,
    ).to.equal(VerifyCodes.HELPER_NOT_PERMITTED);
  });

  it('runs a pluggable list of checks', function () {
    const noStores: VerifyCheck = ({ prog }) => {
      for (let pc = 0; pc < prog.length; pc++)
        if ((prog.opcode[pc]! & 0x07) === 0x03)
          return new VerifyError(VerifyCodes.RESERVED_FIELD, pc, 'no stores here');
      return undefined;
    };
    const text = 'mov %r0, 0\nstxdw [%r10-8], %r0\nexit';
    expect(loadProgram(image(text))).not.to.be.instanceOf(VerifyError);
    expect(rejection(image(text), { checks: [...defaultChecks, noStores] })).to.deep.equal({
      code: VerifyCodes.RESERVED_FIELD,
      pc: 1,
    });
  });
});

forEachBackend('vm: memory regions', function () {
  const data = [
    { name: '.rodata', bytes: new TextEncoder().encode('hello\0'), writable: false },
    { name: '.data', bytes: Uint8Array.from([1, 0, 0, 0]), writable: true },
  ];

  it('maps data sections for lddw src=6 and keeps the image unchanged', function () {
    const text = `
      lddw %r1, data 0, 1
      ldxb %r0, [%r1]
      lddw %r2, data 1, 0
      ldxw %r3, [%r2]
      add %r3, 1
      stxw [%r2], %r3
      lsh %r3, 8
      or %r0, %r3
      exit`;
    const loaded = load(text, {}, { data });
    expect(ok(run(loaded))).to.equal(0x200n | 0x65n);
    // Globals persist across runs of one loaded program; the image is never written.
    expect(ok(run(loaded))).to.equal(0x300n | 0x65n);
    expect([...data[1]!.bytes]).to.deep.equal([1, 0, 0, 0]);
  });

  it('refuses stores into read-only data sections', function () {
    const loaded = load('lddw %r1, data 0, 0\nstb [%r1], 0\nexit', {}, { data });
    const r = run(loaded);
    expect(r).to.be.instanceOf(VmFault);
    expect((r as VmFault).code).to.equal(FaultCodes.OUT_OF_BOUNDS_STORE);
    expect((r as VmFault).pc).to.equal(2);
  });

  it('rejects lddw src=6 offsets beyond the section', function () {
    expect(rejection(image('lddw %r1, data 1, 5\nexit', { data }))).to.deep.equal({
      code: VerifyCodes.BAD_DATA_REFERENCE,
      pc: 0,
    });
  });

  it('maps a heap and shared regions that helpers can find by name', function () {
    const shared = new Uint8Array(8);
    const registry = new HelperRegistry().register({
      id: 1,
      name: 'region_addr',
      permission: 'test',
      fn: (which, _b, _c, _d, _e, ctx) => ctx.mem.addressOf(which === 0n ? 'heap' : 'shared') ?? 0n,
    });
    const text = `
      mov %r1, 0
      call 1
      stdw [%r0+8], 7
      mov %r1, 1
      call 1
      stw [%r0+4], 9
      mov %r0, 0
      exit`;
    const a = load(text, {
      helpers: registry,
      heapSize: 16,
      regions: [{ name: 'shared', bytes: shared, writable: true }],
    });
    expect(ok(run(a))).to.equal(0n);
    expect([...shared]).to.deep.equal([0, 0, 0, 0, 9, 0, 0, 0]);
    const heap = a.memory.bytes[a.memory.names.indexOf('heap')]!;
    expect(heap[8]).to.equal(7);
  });
});

forEachBackend('vm: helper memory interface', function () {
  it('reads, writes and reads C strings through checked accesses, returning faults', function () {
    let seen: unknown[] = [];
    const registry = new HelperRegistry().register({
      id: 7,
      name: 'probe',
      permission: 'test',
      fn: (addr, _b, _c, _d, _e, ctx) => {
        seen = [
          ctx.mem.readCString(addr),
          ctx.mem.read(addr, 3),
          ctx.mem.write(addr + 1n, Uint8Array.from([0x5a])),
          ctx.mem.read(addr, 100),
          ctx.mem.write(0n, Uint8Array.from([1])),
          ctx.mem.readCString(addr + 6n),
          ctx.user,
        ];
        return 0n;
      },
    });
    const loaded = load('call 7\nexit', { helpers: registry });
    const mem = new TextEncoder().encode('abc\0def');
    expect(ok(run(loaded, { mem, user: 'state' }))).to.equal(0n);
    expect(seen[0]).to.equal('abc');
    // read() returns a live view of program memory: it shows the write that followed.
    expect([...(seen[1] as Uint8Array)]).to.deep.equal([0x61, 0x5a, 0x63]);
    expect(seen[2]).to.equal(undefined);
    expect(mem[1]).to.equal(0x5a);
    expect((seen[3] as VmFault).code).to.equal(FaultCodes.OUT_OF_BOUNDS_LOAD);
    expect((seen[3] as VmFault).pc).to.equal(0);
    expect((seen[4] as VmFault).code).to.equal(FaultCodes.OUT_OF_BOUNDS_STORE);
    // "f" at offset 6 has no NUL before the end of the region.
    expect((seen[5] as VmFault).code).to.equal(FaultCodes.OUT_OF_BOUNDS_LOAD);
    expect(seen[6]).to.equal('state');
  });

  it('refuses writes to read-only run memory', function () {
    const loaded = load('stb [%r1], 1\nexit');
    const r = run(loaded, { mem: new Uint8Array(4), memWritable: false });
    expect((r as VmFault).code).to.equal(FaultCodes.OUT_OF_BOUNDS_STORE);
  });
});

forEachBackend('vm: run contexts and misbehaving helpers', function () {
  it('passes explicit r1..r5 and rejects more than five', function () {
    const loaded = load('mov %r0, %r1\nadd %r0, %r5\nexit');
    expect(ok(run(loaded, { args: [40n, 0n, 0n, 0n, 2n] }))).to.equal(42n);
    expect(ok(run(loaded, { args: [-1n, 0n, 0n, 0n, 0n] }))).to.equal(0xffffffffffffffffn);
    const r = run(loaded, { args: [1n, 2n, 3n, 4n, 5n, 6n] });
    expect((r as VmFault).code).to.equal(FaultCodes.BAD_RUN_CONTEXT);
  });

  it('applies the per-run budget', function () {
    const loaded = load('mov %r0, 0\nmov %r0, 1\nmov %r0, 2\nexit');
    expect(run(loaded, { budget: 4 })).to.deep.include({ r0: 2n, steps: 4 });
    const r = run(loaded, { budget: 3 });
    expect(r).to.be.instanceOf(VmFault);
    expect((r as VmFault).code).to.equal(FaultCodes.BUDGET_EXHAUSTED);
    expect((r as VmFault).pc).to.equal(3);
  });

  it('turns a throwing helper or a non-bigint result into a fault', function () {
    const registry = new HelperRegistry()
      .register({
        id: 1,
        name: 'throws',
        permission: 'test',
        fn: () => {
          throw new Error('boom');
        },
      })
      .register({ id: 2, name: 'number', permission: 'test', fn: () => 5 as unknown as bigint })
      .register({
        id: 3,
        name: 'fault',
        permission: 'test',
        fn: (_a, _b, _c, _d, _e, ctx) => new VmFault(FaultCodes.HELPER_FAILED, ctx.pc, 'no'),
      });
    for (const id of [1, 2, 3]) {
      const r = run(load(`mov %r0, 0\ncall ${id}\nexit`, { helpers: registry }));
      expect(r).to.be.instanceOf(VmFault);
      expect((r as VmFault).code).to.equal(FaultCodes.HELPER_FAILED);
      expect((r as VmFault).pc).to.equal(1);
    }
  });

  it('passes a helper its declared arguments only (the other registers as 0)', function () {
    const seen: bigint[][] = [];
    const record = (id: number, arity?: number): Helper => ({
      id,
      name: `args${id}`,
      permission: 'test',
      ...(arity === undefined ? {} : { arity }),
      fn: (a, b, c, d, e) => {
        seen.push([a, b, c, d, e]);
        return 0n;
      },
    });
    const registry = new HelperRegistry().register(record(1, 2)).register(record(2)).register(record(3, 0));
    const text = [1, 2, 3, 4, 5].map((r) => `lddw %r${r}, ${r * 0x100000001}`).join('\n');
    for (const id of [1, 2, 3]) ok(run(load(`${text}\ncall ${id}\nmov %r0, 0\nexit`, { helpers: registry })));
    const all = [1n, 2n, 3n, 4n, 5n].map((r) => r * 0x100000001n);
    expect(seen).to.deep.equal([[all[0], all[1], 0n, 0n, 0n], all, [0n, 0n, 0n, 0n, 0n]]);
  });

  it('reduces helper results to u64', function () {
    const registry = new HelperRegistry().register({ id: 1, name: 'neg', permission: 'test', fn: () => -2n });
    expect(ok(run(load('call 1\nexit', { helpers: registry })))).to.equal(0xfffffffffffffffen);
  });

  it('refuses to re-enter a running program from its own helper', function () {
    let inner: RunResult | VmFault | undefined;
    const registry = new HelperRegistry().register({
      id: 1,
      name: 'reenter',
      permission: 'test',
      fn: () => {
        inner = run(self);
        return 5n;
      },
    });
    const self: LoadedProgram = load('call 1\nexit', { helpers: registry });
    expect(ok(run(self))).to.equal(5n);
    expect((inner as VmFault).code).to.equal(FaultCodes.BAD_RUN_CONTEXT);
    // And the program runs again afterwards.
    expect(ok(run(self))).to.equal(5n);
  });

  it('never keeps the run memory mapped after the run', function () {
    const loaded = load('ldxb %r0, [%r1]\nexit');
    expect(ok(run(loaded, { mem: Uint8Array.from([9]) }))).to.equal(9n);
    const r = run(loaded, { args: [0x200000000n] });
    expect((r as VmFault).code).to.equal(FaultCodes.OUT_OF_BOUNDS_LOAD);
  });
});
