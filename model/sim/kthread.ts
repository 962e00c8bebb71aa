import type { CpuId, PacketId, ThreadId } from '../brand.ts';

/**
 * Kernel call chains without recursion. The kernel nests calls (ether_input -> netisr_dispatch
 * -> ip_input -> udp_input; IPsec bundles recurse ip_output -> ipsec_output -> ip_output);
 * the model runs them from an explicit work stack, so depth shows in the trace and can never
 * overflow the JavaScript stack. Every call pushes a frame with a byte cost; the thread's depth
 * is the sum of the frames on its stack.
 */
export interface KernelCall {
  /** Kernel function name, e.g. `ip_input`. */
  readonly frame: string;
  readonly frameBytes: number;
  /**
   * Runs the function's own work; returns the calls it makes, in order, each nested inside it (a
   * single call needs no array: most frames make one).
   */
  run(): KernelCall | readonly KernelCall[] | undefined;
  /** Runs when the frame returns, after every nested call (e.g. clearing DISPATCHING). */
  after?(): void;
}

/** Told whenever a thread's stack reaches a new high-water mark. */
export type StackHighWater = (
  depthBytes: number,
  frames: readonly string[],
  pkt: PacketId | undefined,
) => void;

/** The calls `call` makes when it runs, as a list (for walking call trees outside a stack). */
export function nestedCalls(call: KernelCall): readonly KernelCall[] {
  const nested = call.run();
  if (nested === undefined) return [];
  return Array.isArray(nested) ? nested : [nested as KernelCall];
}

/** Marks the entry below it on a work stack as a call returning. */
const RETURNS = Symbol('returns');

/** A frame that stays on a thread's stack for its whole life (the PCB, fork_exit, ithread_loop). */
export interface BaseFrame {
  readonly frame: string;
  readonly frameBytes: number;
}

/** One simulated kernel thread's stack: runs call chains and tracks depth in bytes. */
export class KernelStack {
  readonly thread: ThreadId;
  readonly cpu: CpuId;
  readonly #frames: string[] = [];
  readonly #work: (KernelCall | typeof RETURNS)[] = [];
  readonly #onHighWater: StackHighWater;
  #depthBytes = 0;
  #depthBytesMax = 0;

  /**
   * `base`: frames below every call chain the thread runs, outermost first (default none): a
   * kernel thread's stack also holds its PCB and the loop that calls the handlers, and they count.
   */
  constructor(thread: ThreadId, cpu: CpuId, onHighWater: StackHighWater, base: readonly BaseFrame[] = []) {
    this.thread = thread;
    this.cpu = cpu;
    this.#onHighWater = onHighWater;
    for (const b of base) {
      this.#frames.push(b.frame);
      this.#depthBytes += b.frameBytes;
    }
  }

  get depthBytes(): number {
    return this.#depthBytes;
  }

  get depthBytesMax(): number {
    return this.#depthBytesMax;
  }

  /**
   * Runs `root` and everything it calls to completion, depth-first, in call order. A call's
   * return is the call followed by RETURNS on the work stack: no object per entry, on every
   * packet.
   */
  execute(root: KernelCall, pkt: PacketId | undefined): void {
    // The thread's own work stack, empty between packets; a nested execute (none today) gets its own.
    const work = this.#work.length === 0 ? this.#work : [];
    work.push(root);
    for (let item = work.pop(); item !== undefined; item = work.pop()) {
      if (item === RETURNS) {
        const call = work.pop() as KernelCall;
        call.after?.();
        this.#frames.pop();
        this.#depthBytes -= call.frameBytes;
        continue;
      }
      this.#enter(item, pkt);
      const nested = item.run();
      work.push(item, RETURNS);
      if (nested === undefined) continue;
      if (!Array.isArray(nested)) {
        work.push(nested as KernelCall);
        continue;
      }
      // Pushed last-first so the first call runs first; `nested` is a dense array.
      for (let i = nested.length - 1; i >= 0; i--) work.push(nested[i] as KernelCall);
    }
  }

  #enter(call: KernelCall, pkt: PacketId | undefined): void {
    this.#frames.push(call.frame);
    this.#depthBytes += call.frameBytes;
    if (this.#depthBytes > this.#depthBytesMax) {
      this.#depthBytesMax = this.#depthBytes;
      this.#onHighWater(this.#depthBytes, this.#frames, pkt);
    }
  }
}
