import type { CpuId, ThreadId } from '../brand.ts';
import { assert } from '../brand.ts';
import type { ThreadRef } from '../netisr/setup.ts';
import type { Packet } from '../packet.ts';
import { Fifo } from '../sim/fifo.ts';
import type { KernelCall, KernelStack } from '../sim/kthread.ts';
import type { Actor, ThreadKind } from '../sim/simulator.ts';
import { nestedCall } from './calls.ts';
import type { NetgraphNode } from './chain.ts';

/** A netgraph item parked on a node queue: where it resumes, on whichever thread picks it up. */
export interface NgItem {
  readonly pkt: Packet;
  resume(thread: ThreadRef): KernelCall;
}

export interface NetgraphEnv {
  readonly frameBytes: (frame: string) => number;
  /** KSTACK_PAGES x PAGE_SIZE. */
  readonly kstackBytes: number;
  /** The current depth of a thread's stack (GET_STACK_USAGE). */
  readonly depthBytes: (thread: ThreadRef) => number;
  /** ng_queue_rw: park the item for the netgraph worker thread. */
  readonly enqueue: (item: NgItem) => void;
}

/** Where a netgraph chain hands the packet back to the stack. */
export type NgExit =
  | { readonly kind: 'ether'; readonly wire: (thread: ThreadRef) => readonly KernelCall[] }
  | { readonly kind: 'ksocket'; readonly ipOutput: (thread: ThreadRef) => KernelCall };

/** One netgraph hop: ng_apply_item -> the node's rcvdata, on the thread that applies the item. */
type NgApply = (thread: ThreadRef) => KernelCall;

/**
 * ng_iface_output -> ng_iface_send -> (ng_snd_item -> ng_apply_item -> ng_<node>_rcvdata)* -> exit.
 * Every ng_snd_item applies sys/netgraph/ng_base.c's stack check: with less than a quarter of the
 * kernel stack left, the item is queued to the netgraph worker thread instead of being applied in
 * the caller (GET_STACK_USAGE; the 25% rule for ordinary nodes), so netgraph alone never exhausts
 * the stack; its frames still add to whatever IPsec and tunnels stacked below it.
 */
export function netgraphOutput(
  env: NetgraphEnv,
  pkt: Packet,
  thread: ThreadRef,
  nodes: readonly NetgraphNode[],
  exit: NgExit,
): KernelCall {
  const { frameBytes } = env;
  // The last hook: ng_ether's lower hook hands the frame to the driver; ng_ksocket sends the
  // payload through a UDP socket, which re-enters ip_output.
  const lower = exit.kind === 'ksocket' ? 'ng_ksocket_rcvdata' : 'ng_ether_rcv_lower';
  let apply: NgApply = (t) =>
    nestedCall(frameBytes, ['ng_apply_item', lower], () =>
      exit.kind === 'ether'
        ? exit.wire(t)
        : [nestedCall(frameBytes, ['sosend_dgram', 'udp_send', 'udp_output'], () => [exit.ipOutput(t)])],
    );
  for (const node of [...nodes].reverse()) {
    const next = apply;
    apply = (t) =>
      nestedCall(frameBytes, ['ng_apply_item', `ng_${node}_rcvdata`], () => [ngSend(env, pkt, next, t)]);
  }
  return nestedCall(frameBytes, ['ng_iface_output', 'ng_iface_send'], () => [
    ngSend(env, pkt, apply, thread),
  ]);
}

/** ng_snd_item: apply the item in the caller, or queue it to the worker when the stack runs low. */
function ngSend(env: NetgraphEnv, pkt: Packet, apply: NgApply, thread: ThreadRef): KernelCall {
  return nestedCall(env.frameBytes, ['ng_snd_item'], () => {
    const leftBytes = env.kstackBytes - env.depthBytes(thread);
    if (leftBytes * 4 < env.kstackBytes) {
      env.enqueue({ pkt, resume: apply });
      return undefined;
    }
    return [apply(thread)];
  });
}

/**
 * The netgraph worker (ngthread, sys/netgraph/ng_base.c): applies queued items on its own, fresh
 * stack, one item per step, in queue order.
 */
export class NetgraphThread implements Actor {
  readonly id: ThreadId;
  readonly name = 'ng_queue';
  // A software-interrupt-like kernel worker, scheduled like the netisr threads.
  readonly kind: ThreadKind = 'netisr';
  readonly cpu: CpuId;
  readonly #stack: KernelStack;
  readonly #items = new Fifo<NgItem>();
  readonly #frameBytes: (frame: string) => number;

  constructor(stack: KernelStack, frameBytes: (frame: string) => number) {
    this.id = stack.thread;
    this.cpu = stack.cpu;
    this.#stack = stack;
    this.#frameBytes = frameBytes;
  }

  enqueue(item: NgItem): void {
    this.#items.push(item);
  }

  get pendingItems(): number {
    return this.#items.length;
  }

  runnable(): boolean {
    return this.#items.length > 0;
  }

  step(): void {
    const item = this.#items.shift();
    assert(item !== undefined, 'sim: the netgraph worker steps only with an item queued');
    const root: KernelCall = {
      frame: 'ngthread',
      frameBytes: this.#frameBytes('ngthread'),
      run: () => [item.resume(this)],
    };
    this.#stack.execute(root, item.pkt.id);
  }
}
