// The number calling convention of helpers (vm/helpers.ts `fnNumber`), on both back ends: which of a
// helper's two functions a call reaches for arguments on either side of 2^53, that the arguments and
// results are exact either way, the checks on what a number helper returns, and the number-address
// memory accesses (readAt, writeAt) with their faults.
import { expect } from 'chai';
import { assemble, FaultCodes, HelperRegistry, run, VerifyError, VmFault } from '../../vm/index.js';
import type { Helper, LoadedProgram, NumberHelperFn, RunResult } from '../../vm/index.js';
import { forEachBackend, loadProgram } from './backends.js';

const TWO_53 = 2n ** 53n;

function load(text: string, helpers: HelperRegistry): LoadedProgram {
  const code = assemble(text);
  if (!(code instanceof Uint8Array)) throw new Error(code.describe());
  const loaded = loadProgram({ code, entry: 0, data: [] }, { helpers });
  if (loaded instanceof VerifyError) throw new Error(loaded.describe());
  return loaded;
}

function ok(r: RunResult | VmFault): bigint {
  if (r instanceof VmFault) throw new Error(r.describe());
  return r.r0;
}

/** `lddw` of r1..r5 = values, then `call 1`. */
function callWith(values: readonly bigint[], after = 'mov %r0, 0\nexit'): string {
  const set = values.map((v, i) => `lddw %r${i + 1}, 0x${BigInt.asUintN(64, v).toString(16)}`);
  return [...set, 'call 1', after].join('\n');
}

forEachBackend('vm: the number calling convention', function () {
  /** A helper recording which function was called with what; fnNumber returns `result` if given. */
  function recorder(arity: number | undefined, result?: (args: number[]) => ReturnType<NumberHelperFn>) {
    const calls: { fn: 'bigint' | 'number'; args: (bigint | number)[] }[] = [];
    const helper: Helper = {
      id: 1,
      name: 'record',
      permission: 'test',
      ...(arity === undefined ? {} : { arity }),
      fn: (a, b, c, d, e) => {
        calls.push({ fn: 'bigint', args: [a, b, c, d, e] });
        return 7n;
      },
      fnNumber: (a, b, c, d, e) => {
        calls.push({ fn: 'number', args: [a, b, c, d, e] });
        return result ? result([a, b, c, d, e]) : 7;
      },
    };
    return { calls, registry: new HelperRegistry().register(helper) };
  }

  it('passes arguments below 2^53 as exact numbers', function () {
    const { calls, registry } = recorder(undefined);
    const values = [TWO_53 - 1n, 0x4_0000_0010n, 0n, 0xffff_ffffn, 0x1_0000_0000n];
    ok(run(load(callWith(values), registry)));
    expect(calls).to.deep.equal([{ fn: 'number', args: values.map(Number) }]);
  });

  it('calls the bigint function with the exact values when an argument is 2^53 or more', function () {
    for (const big of [TWO_53, TWO_53 + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
      const { calls, registry } = recorder(undefined);
      const values = [1n, 2n, 3n, 4n, big];
      expect(ok(run(load(callWith(values, 'exit'), registry)))).to.equal(7n);
      expect(calls).to.deep.equal([{ fn: 'bigint', args: values }]);
    }
  });

  it('looks only at the arguments the helper takes', function () {
    // r3..r5 hold -1 (not exact as doubles) but the helper takes two arguments: numbers, the rest 0.
    const { calls, registry } = recorder(2);
    ok(run(load(callWith([5n, TWO_53 - 2n, -1n, -1n, -1n]), registry)));
    expect(calls).to.deep.equal([{ fn: 'number', args: [5, Number(TWO_53 - 2n), 0, 0, 0] }]);
    // The second argument at 2^53: the bigint function, with the others still passed as 0.
    const wide = recorder(2);
    ok(run(load(callWith([5n, TWO_53, -1n, -1n, -1n]), wide.registry)));
    expect(wide.calls).to.deep.equal([{ fn: 'bigint', args: [5n, TWO_53, 0n, 0n, 0n] }]);
  });

  it("writes safe integer results exactly, negative ones as two's complement", function () {
    const cases: [number, bigint][] = [
      [0, 0n],
      [42, 42n],
      [0xffff_ffff, 0xffff_ffffn],
      [0x1_0000_0000, 0x1_0000_0000n],
      [Number(TWO_53 - 1n), TWO_53 - 1n],
      [-1, 2n ** 64n - 1n],
      [-2, 2n ** 64n - 2n],
      [-0x8000_0000, 2n ** 64n - 0x8000_0000n],
      [-0x1_0000_0001, 2n ** 64n - 0x1_0000_0001n],
      [-Number(TWO_53 - 1n), 2n ** 64n - (TWO_53 - 1n)],
    ];
    for (const [result, r0] of cases) {
      const { registry } = recorder(0, () => result);
      expect(ok(run(load('call 1\nexit', registry))), String(result)).to.equal(r0);
    }
  });

  it('takes a bigint result for values a double cannot hold, reduced to u64', function () {
    const cases: [bigint, bigint][] = [
      [TWO_53 + 1n, TWO_53 + 1n],
      [2n ** 64n - 1n, 2n ** 64n - 1n],
      [-2n, 2n ** 64n - 2n],
      [2n ** 64n + 5n, 5n],
    ];
    for (const [result, r0] of cases) {
      const { registry } = recorder(0, () => result);
      expect(ok(run(load('call 1\nexit', registry))), String(result)).to.equal(r0);
    }
  });

  it('turns an inexact or non-numeric result, a throw or a fault into a fault at the call', function () {
    const bad: (() => unknown)[] = [
      () => 1.5,
      () => Number(TWO_53),
      () => -Number(TWO_53),
      () => NaN,
      () => Infinity,
      () => 'five',
      () => undefined,
      () => {
        throw new Error('boom');
      },
      () => new VmFault(FaultCodes.HELPER_FAILED, 99, 'no'),
    ];
    for (const result of bad) {
      const { registry } = recorder(0, result as () => number);
      const r = run(load('mov %r0, 0\ncall 1\nexit', registry));
      expect(r, String(result)).to.be.instanceOf(VmFault);
      expect((r as VmFault).code).to.equal(FaultCodes.HELPER_FAILED);
      expect((r as VmFault).pc).to.equal(1);
    }
  });

  it('keeps r1..r5 and goes on after the call; unwinds on 0 when the helper says so', function () {
    const { registry } = recorder(1, ([a]) => a! + 1);
    expect(ok(run(load(callWith([41n], 'add %r0, %r1\nexit'), registry)))).to.equal(42n + 41n);
    const unwind = new HelperRegistry().register({
      id: 1,
      name: 'unwind',
      permission: 'test',
      unwindOnZero: true,
      arity: 1,
      fn: () => 1n,
      fnNumber: (a) => a,
    });
    expect(ok(run(load('mov %r1, 0\ncall 1\nmov %r0, 5\nexit', unwind)))).to.equal(0n);
    expect(ok(run(load('mov %r1, 3\ncall 1\nmov %r0, 5\nexit', unwind)))).to.equal(5n);
  });

  it('reads and writes program memory at number addresses, with faults for bad ones', function () {
    let seen: unknown[] = [];
    let copies: Uint8Array[] = [];
    const registry = new HelperRegistry().register({
      id: 1,
      name: 'probe',
      permission: 'test',
      fn: () => 0n,
      fnNumber: (addr, _b, _c, _d, _e, ctx) => {
        seen = [
          [...(ctx.mem.readAt(addr, 3) as Uint8Array)],
          ctx.mem.writeAt(addr + 1, Uint8Array.from([0x5a])),
          ctx.mem.readAt(addr, 101),
          ctx.mem.writeAt(0, Uint8Array.from([1])),
          ctx.mem.readAt(-1, 1),
          ctx.mem.readAt(addr + 0.5, 1),
          ctx.mem.readAt(Number(TWO_53), 1),
          ctx.mem.readAt(addr, -1),
          ctx.mem.copyAt(addr, 101),
          ctx.mem.copyAt(-1, 1),
        ];
        copies = [ctx.mem.copyAt(addr, 3) as Uint8Array, ctx.mem.copyAt(addr, 100) as Uint8Array];
        ctx.mem.writeAt(addr, Uint8Array.of(0xee));
        return 0;
      },
    });
    const mem = new Uint8Array(100);
    mem.set([1, 2, 3, 4]);
    expect(ok(run(load('call 1\nexit', registry), { mem }))).to.equal(0n);
    expect(seen[0]).to.deep.equal([1, 2, 3]);
    expect(seen[1]).to.equal(undefined);
    expect(mem[1]).to.equal(0x5a);
    const codes = seen.slice(2).map((f) => (f as VmFault).code);
    expect(codes).to.deep.equal([
      FaultCodes.OUT_OF_BOUNDS_LOAD,
      FaultCodes.OUT_OF_BOUNDS_STORE,
      FaultCodes.OUT_OF_BOUNDS_LOAD,
      FaultCodes.OUT_OF_BOUNDS_LOAD,
      FaultCodes.OUT_OF_BOUNDS_LOAD,
      FaultCodes.OUT_OF_BOUNDS_LOAD,
      FaultCodes.OUT_OF_BOUNDS_LOAD,
      FaultCodes.OUT_OF_BOUNDS_LOAD,
    ]);
    expect((seen[2] as VmFault).message).to.contain('(context+0)');
    // copyAt: copies (short and long) that the later write to the first byte does not change.
    expect(mem[0]).to.equal(0xee);
    expect([...copies[0]!]).to.deep.equal([1, 0x5a, 3]);
    expect(copies[1]!.length).to.equal(100);
    expect([...copies[1]!.subarray(0, 5)]).to.deep.equal([1, 0x5a, 3, 4, 0]);
  });
});
