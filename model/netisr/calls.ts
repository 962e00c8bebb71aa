import type { Packet } from '../packet.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { NetisrProtoName } from '../vocab.ts';
import type { DispatchOptions, NetisrCalls, NetisrSetup, ProtocolHandler, ThreadRef } from './setup.ts';
import type { NetisrWork, Workstream } from './workstream.ts';

/**
 * The kernel calls made for every packet are small classes rather than object literals with
 * arrow functions: no closure per packet (the fuzz loop makes millions of them).
 */
export class DispatchCall implements KernelCall {
  readonly frame = 'netisr_dispatch_src';
  constructor(
    readonly netisr: NetisrCalls,
    readonly frameBytes: number,
    readonly proto: NetisrProtoName,
    readonly pkt: Packet,
    readonly thread: ThreadRef,
    readonly options: DispatchOptions,
  ) {}

  run(): KernelCall | undefined {
    return this.netisr.dispatchNow(this.proto, this.pkt, this.thread, this.options);
  }
}

/** netisr hybrid dispatch: the handler inline while the workstream holds DISPATCHING (N-13d). */
export class HybridCall implements KernelCall {
  readonly frame = 'netisr_hybrid';
  readonly frameBytes = 0;
  constructor(
    readonly netisr: NetisrCalls,
    readonly ws: Workstream,
    readonly work: NetisrWork,
    readonly wasDispatching: boolean,
    readonly proto: NetisrProtoName,
    readonly pkt: Packet,
    readonly thread: ThreadRef,
  ) {}

  run(): KernelCall {
    return this.netisr.handlerCall(this.proto, this.pkt, this.thread);
  }

  after(): void {
    const { ws, work } = this;
    ws.dispatching = this.wasDispatching;
    work.handled++;
    work.hybridDispatched++;
    // N-13d: work queued meanwhile (by others, or nested dispatches, N-22) wakes the SWI.
    if (ws.hasPending && !ws.running && !ws.dispatching) ws.scheduled = true;
  }
}

/** `<proto>_input`: records the handle event, then runs the protocol's handler. */
export class HandlerCall implements KernelCall {
  constructor(
    readonly setup: NetisrSetup,
    readonly frame: string,
    readonly frameBytes: number,
    readonly handler: ProtocolHandler,
    readonly proto: NetisrProtoName,
    readonly pkt: Packet,
    readonly thread: ThreadRef,
  ) {}

  run(): KernelCall | readonly KernelCall[] {
    const { pkt, thread } = this;
    this.setup.trace.record({
      kind: 'handle',
      atNs: this.setup.clock.nowNs,
      pkt: pkt.id,
      flow: pkt.flow.id,
      seq: pkt.seq,
      proto: this.proto,
      cpu: thread.cpu,
      thread: thread.id,
      hash: pkt.hash,
      hashType: pkt.hashType,
    });
    return this.handler(pkt, thread);
  }
}
