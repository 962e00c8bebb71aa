import { assert, type CpuId, type ThreadId } from '../brand.ts';
import type { Packet } from '../packet.ts';
import { Fifo } from '../sim/fifo.ts';
import type { KernelCall, KernelStack } from '../sim/kthread.ts';
import type { Actor, ThreadKind } from '../sim/simulator.ts';

/**
 * The one user thread writing to tun0, and the CPU it runs on now. Its writes queue here in order;
 * `migrate` moves the thread, so the writes after it are dispatched from another CPU.
 */
export class TunWriterState {
  readonly writes = new Fifo<Packet>();
  cpu: CpuId;

  constructor(cpu: CpuId) {
    this.cpu = cpu;
  }
}

/**
 * The tun0 writer as seen on one CPU: runnable only while the thread is on that CPU, so the writes
 * keep their order whichever CPU runs them. tunwrite -> tunwrite_l3 calls netisr_dispatch in the
 * writer's context (sys/net/if_tuntap.c), so the packet enters the stack on the writer's CPU.
 */
export class TunWriter implements Actor {
  readonly id: ThreadId;
  readonly name: string;
  readonly kind: ThreadKind = 'user';
  readonly cpu: CpuId;
  readonly #state: TunWriterState;
  readonly #stack: KernelStack;
  readonly #write: (pkt: Packet, thread: TunWriter) => KernelCall;

  constructor(
    state: TunWriterState,
    stack: KernelStack,
    write: (pkt: Packet, thread: TunWriter) => KernelCall,
  ) {
    this.id = stack.thread;
    this.cpu = stack.cpu;
    this.name = `tun0 writer on cpu ${stack.cpu}`;
    this.#state = state;
    this.#stack = stack;
    this.#write = write;
  }

  runnable(): boolean {
    return this.#state.cpu === this.cpu && this.#state.writes.length > 0;
  }

  step(): void {
    const pkt = this.#state.writes.shift();
    assert(pkt !== undefined, 'sim: the tun writer steps only with a write queued');
    this.#stack.execute(this.#write(pkt, this), pkt.id);
  }
}
