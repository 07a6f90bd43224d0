// The chain runner (daemon/plugins/runtime.ts) on assembled pluglets that record what runs: pre and post
// anchors in seq order, the replace chain with next() as a tail call (first handles, second handles, all
// pass = native), post pluglets seeing the outcome in exec_info, a pre fault skipping the rest of its
// anchor, and an out-of-range verdict counted as a fault.
import { expect } from 'chai';
import { assemble, HelperRegistry, loadProgram, VerifyError, AsmError } from '../../vm/index.js';
import { EXEC_INFO, writeExecInfo } from '../../xbgp-api/index.js';
import { PluginMemory } from '../../daemon/plugins/memory.js';
import {
  Plugin,
  Pluglet,
  runPost,
  runPre,
  runReplace,
  type Anchor,
  type Chain,
  type FaultSink,
  type Invocation,
} from '../../daemon/plugins/runtime.js';

const RECORD = 200;
const NEXT = 127;
let recorded: bigint[] = [];

const helpers = new HelperRegistry()
  .register({
    id: RECORD,
    name: 'record',
    permission: 'none',
    fn: (r1) => {
      recorded.push(r1);
      return 0n;
    },
  })
  .register({
    id: NEXT,
    name: 'next',
    permission: 'none',
    unwindOnZero: true,
    fn: (_1, _2, _3, _4, _5, ctx) => {
      (ctx.user as Invocation).nextRequested = true;
      return 0n;
    },
  });

const plugin = new Plugin('p', new PluginMemory(64, 0), { max: 0, windowMs: 0 });

/** A pluglet recording `tag`, then calling next() or returning `verdict` (`fault`: reads address 0). */
function pluglet(
  tag: number,
  anchor: Anchor,
  seq: number,
  behaviour: { next?: boolean; verdict?: number; fault?: boolean; readInfo?: boolean },
): Pluglet {
  const lines = [
    behaviour.readInfo ? 'ldxdw %r1, [%r1+8]' : `mov %r1, ${tag}`,
    `call ${RECORD}`,
    ...(behaviour.fault ? ['mov %r2, 0', 'ldxdw %r0, [%r2+0]'] : []),
    ...(behaviour.next ? [`call ${NEXT}`] : []),
    `mov %r0, ${behaviour.verdict ?? 0}`,
    'exit',
  ];
  const code = assemble(lines.join('\n'));
  if (code instanceof AsmError) throw new Error(code.describe());
  const loaded = loadProgram({ code, entry: 0, data: [] }, { helpers, budget: 1000 });
  if (loaded instanceof VerifyError) throw new Error(loaded.describe());
  return new Pluglet(`t${tag}`, plugin, loaded, 'bgp_pre_inbound_filter', anchor, seq, 1000);
}

const faults: string[] = [];
const sink: FaultSink = {
  now: () => 0,
  fault: (_p, f) => void faults.push(f.code),
  disabled: () => undefined,
};

function invocation(): Invocation {
  return {
    pluglet: undefined,
    nextRequested: false,
    helperFault: undefined,
    faults: 0,
    execInfo: new Uint8Array(EXEC_INFO.size),
  };
}

const writeInfo = (out: Uint8Array, set: boolean, value: bigint): void =>
  writeExecInfo(out, 0, { returnValSet: set, replaceReturnValue: value, insertionPointId: 15 });
const valid = (v: bigint): boolean => v >= 256n && v <= 258n;

function runAll(chain: Chain): bigint | undefined {
  const inv = invocation();
  runPre(chain, inv, sink, writeInfo);
  const value = runReplace(chain, inv, sink, writeInfo, valid);
  runPost(chain, inv, sink, writeInfo, value ?? 258n);
  return value;
}

describe('plugins/runtime: chains', function () {
  beforeEach(function () {
    recorded = [];
    faults.length = 0;
  });

  const table: { name: string; replace: Pluglet[]; value: bigint | undefined; ran: number[] }[] = [
    {
      name: 'the first replace pluglet handles: the second never runs',
      replace: [pluglet(1, 'replace', 0, { verdict: 257 }), pluglet(2, 'replace', 1, { verdict: 256 })],
      value: 257n,
      ran: [1],
    },
    {
      name: 'the first calls next(), the second handles',
      replace: [
        pluglet(1, 'replace', 0, { next: true, verdict: 256 }),
        pluglet(2, 'replace', 1, { verdict: 256 }),
      ],
      value: 256n,
      ran: [1, 2],
    },
    {
      name: 'all call next(): the native code runs',
      replace: [pluglet(1, 'replace', 0, { next: true }), pluglet(2, 'replace', 1, { next: true })],
      value: undefined,
      ran: [1, 2],
    },
    {
      name: 'a fault: the native code runs and the rest of the chain does not',
      replace: [
        pluglet(1, 'replace', 0, { fault: true, verdict: 256 }),
        pluglet(2, 'replace', 1, { verdict: 256 }),
      ],
      value: undefined,
      ran: [1],
    },
  ];
  for (const row of table) {
    it(row.name, function () {
      expect(runAll({ pre: [], replace: row.replace, post: [] })).to.equal(row.value);
      expect(recorded).to.deep.equal(row.ran.map(BigInt));
    });
  }

  it('pre and post anchors run in seq order around the replace chain; post sees the outcome', function () {
    const chain: Chain = {
      pre: [pluglet(10, 'pre', 0, {}), pluglet(11, 'pre', 5, {})],
      replace: [pluglet(20, 'replace', 0, { verdict: 256 })],
      post: [pluglet(30, 'post', 0, { readInfo: true })],
    };
    expect(runAll(chain)).to.equal(256n);
    expect(recorded).to.deep.equal([10n, 11n, 20n, 256n]);
  });

  it('a fault in a pre pluglet skips the rest of the pre anchor, not the replace chain', function () {
    const chain: Chain = {
      pre: [pluglet(10, 'pre', 0, { fault: true }), pluglet(11, 'pre', 1, {})],
      replace: [pluglet(20, 'replace', 0, { verdict: 257 })],
      post: [],
    };
    expect(runAll(chain)).to.equal(257n);
    expect(recorded).to.deep.equal([10n, 20n]);
    expect(faults).to.deep.equal(['ERR_VM_OUT_OF_BOUNDS_LOAD']);
  });

  it('a value the point does not define is a fault, and the native code runs', function () {
    const chain: Chain = { pre: [], replace: [pluglet(1, 'replace', 0, { verdict: 7 })], post: [] };
    expect(runAll(chain)).to.equal(undefined);
    expect(faults).to.deep.equal(['ERR_PLUGIN_BAD_RETURN']);
  });
});
