import { assert, type ThreadId } from '../brand.ts';
import type { VirtualClock } from '../sim/clock.ts';
import type { KernelStack } from '../sim/kthread.ts';
import type { Actor, ThreadKind } from '../sim/simulator.ts';
import type { TraceRecorder } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import type { Netisr } from './netisr.ts';
import type { Workstream } from './workstream.ts';

/**
 * The netisr SWI thread of one workstream (swi_net, netisr_process_workstream_proto). One step
 * handles one packet, so interrupt threads on the same CPU can preempt it between two packets of a
 * batch; the batch it has taken is then in flight: counted in Queued, not in Len or Handled yet.
 */
export class NetisrThread implements Actor {
  readonly id: ThreadId;
  readonly name: string;
  readonly kind: ThreadKind = 'netisr';
  readonly cpu;
  readonly #ws: Workstream;
  readonly #netisr: Netisr;
  readonly #stack: KernelStack;
  readonly #trace: TraceRecorder;
  readonly #clock: VirtualClock;
  readonly #lifo: boolean;

  constructor(
    ws: Workstream,
    netisr: Netisr,
    stack: KernelStack,
    env: { trace: TraceRecorder; clock: VirtualClock; variants: ReadonlySet<ModelVariant> },
  ) {
    this.id = stack.thread;
    this.cpu = ws.cpu;
    this.name = `netisr ${ws.cpu}`;
    this.#ws = ws;
    this.#netisr = netisr;
    this.#stack = stack;
    this.#trace = env.trace;
    this.#clock = env.clock;
    this.#lifo = env.variants.has('netisr-lifo-dequeue');
  }

  runnable(): boolean {
    return this.#ws.scheduled || this.#ws.running;
  }

  step(): void {
    const ws = this.#ws;
    assert(!ws.dispatching, 'N-16: the SWI never runs while an inline dispatch holds the workstream');
    // N-16: the SWI sets RUNNING and clears SCHEDULED when it starts; nothing sets SCHEDULED on a
    // RUNNING workstream, so setting both again between packets changes nothing.
    assert(!(ws.running && ws.scheduled), 'N-16: a RUNNING workstream is never SCHEDULED');
    ws.running = true;
    ws.scheduled = false;
    const batch = ws.batch ?? this.#takeBatch();
    if (batch === undefined) {
      ws.running = false;
      return;
    }
    const pkt = batch.packets[batch.index++];
    assert(pkt !== undefined, 'N-17: a batch in progress has a packet left');
    this.#stack.execute(this.#netisr.handlerCall(batch.work.reg.name, pkt, this), pkt.id);
    if (batch.index < batch.packets.length) return;
    // N-17: Handled grows by the whole batch once it is done.
    batch.work.handled += batch.packets.length;
    ws.batch = undefined;
    // Every protocol left in the pass still has packets, so pending work covers the rest of the pass.
    if (!ws.hasPending) ws.running = false;
  }

  /** N-16: protocols pending at the start of a pass, in ascending protocol order; N-17: whole queue. */
  #takeBatch(): Workstream['batch'] {
    const ws = this.#ws;
    if (ws.passRemaining.length === 0) ws.passRemaining = ws.pendingWorks();
    const work = ws.passRemaining.shift();
    if (work === undefined) return undefined;
    // Only this thread takes packets off its queues: a protocol pending when the pass began still is.
    assert(work.lenPackets > 0, 'N-16: a protocol of the pass has packets at its turn');
    const packets = work.queue.takeAll();
    this.#trace.record({
      kind: 'batch',
      atNs: this.#clock.nowNs,
      proto: work.reg.name,
      cpu: ws.cpu,
      thread: this.id,
      packets: packets.length,
    });
    if (this.#lifo) packets.reverse();
    ws.batch = { work, packets, index: 0 };
    return ws.batch;
  }
}
