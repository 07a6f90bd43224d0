// The feeder: a fast BGP speaker that replays pre-encoded UPDATEs (bench/lib/updates.ts) into the device
// under test and measures its own part, so that a slow feeder is never mistaken for a slow DUT: the wall
// time until the kernel has taken every octet and the CPU time this process spent doing it.
import { BgpTestPeer, type PeerOptions } from './peer.js';
import type { EncodedStream } from './updates.js';

export interface SendTiming {
  /** process.hrtime.bigint() just before the first write. */
  startNs: bigint;
  /** Wall time (ms) from the first write until every octet was handed to the kernel. */
  writtenMs: number;
  /** CPU time (ms, user + system) of this process over the same span (includes anything else it runs). */
  cpuMs: number;
}

export class Feeder {
  readonly peer: BgpTestPeer;

  constructor(options: PeerOptions) {
    this.peer = new BgpTestPeer(options);
  }

  establish(): Promise<void> {
    return this.peer.establish();
  }

  /** Write every block of `stream`, honouring socket backpressure. */
  async send(stream: EncodedStream): Promise<SendTiming> {
    const cpu = process.cpuUsage();
    const startNs = process.hrtime.bigint();
    for (const block of stream.blocks) {
      const wait = this.peer.write(block);
      if (wait) await wait;
      if (this.peer.closeReason !== undefined)
        throw new Error(`feeder session ended: ${this.peer.closeReason}`);
    }
    await this.peer.flushed();
    const writtenMs = Number(process.hrtime.bigint() - startNs) / 1e6;
    const used = process.cpuUsage(cpu);
    return { startNs, writtenMs, cpuMs: (used.user + used.system) / 1000 };
  }

  close(): void {
    this.peer.close();
  }
}
