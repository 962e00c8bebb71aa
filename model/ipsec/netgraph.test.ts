import { describe, expect, it } from 'vitest';
import { cpuId, packetId, threadId } from '../brand.ts';
import type { ThreadRef } from '../netisr/setup.ts';
import type { Packet } from '../packet.ts';
import { type KernelCall, KernelStack, nestedCalls } from '../sim/kthread.ts';
import type { NetgraphNode } from './chain.ts';
import { type NetgraphEnv, NetgraphThread, type NgExit, type NgItem, netgraphOutput } from './netgraph.ts';

const CALLER: ThreadRef = { id: threadId(1), cpu: cpuId(0) };
const WORKER: ThreadRef = { id: threadId(9), cpu: cpuId(0) };
const PKT = { id: packetId(3) } as Packet;
const leaf = (frame: string): KernelCall => ({ frame, frameBytes: 0, run: () => undefined });

/** netgraphOutput with a stack `depth(thread)` bytes deep out of 1000, the queued items kept. */
function setup(depth: (t: ThreadRef) => number) {
  const queued: NgItem[] = [];
  const asked: number[] = [];
  const env: NetgraphEnv = {
    frameBytes: () => 0,
    kstackBytes: 1000,
    depthBytes: (t) => {
      asked.push(t.id);
      return depth(t);
    },
    enqueue: (item) => queued.push(item),
  };
  return { env, queued, asked };
}

const ETHER: NgExit = { kind: 'ether', wire: (t) => [leaf(`wire@${t.id}`)] };
const KSOCKET: NgExit = { kind: 'ksocket', ipOutput: (t) => leaf(`ip_output@${t.id}`) };

/** Runs a call tree depth first; answers every root-to-leaf chain of frames. */
function leaves(root: KernelCall): string[] {
  const out: string[] = [];
  const todo = [{ call: root, path: root.frame }];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const inner = nestedCalls(next.call);
    if (inner.length === 0) out.push(next.path);
    const path = next.path;
    todo.push(...inner.map((call) => ({ call, path: `${path}>${call.frame}` })).reverse());
  }
  return out;
}

const out = (env: NetgraphEnv, nodes: readonly NetgraphNode[], exit: NgExit) =>
  leaves(netgraphOutput(env, PKT, CALLER, nodes, exit));

describe('netgraphOutput: ng_iface -> nodes -> exit (ng_base.c ng_snd_item / ng_apply_item)', () => {
  it('each node is one ng_snd_item -> ng_apply_item -> ng_<node>_rcvdata, in chain order, then the lower hook', () => {
    const { env } = setup(() => 0);
    expect(out(env, ['ppp', 'tee'], ETHER)).toEqual([
      'ng_iface_output>ng_iface_send>ng_snd_item>ng_apply_item>ng_ppp_rcvdata>ng_snd_item>ng_apply_item>' +
        'ng_tee_rcvdata>ng_snd_item>ng_apply_item>ng_ether_rcv_lower>wire@1',
    ]);
    expect(out(env, [], ETHER)).toEqual([
      'ng_iface_output>ng_iface_send>ng_snd_item>ng_apply_item>ng_ether_rcv_lower>wire@1',
    ]);
  });

  it('ng_ksocket sends through a UDP socket: sosend_dgram -> udp_send -> udp_output -> ip_output', () => {
    const { env } = setup(() => 0);
    expect(out(env, ['mppc'], KSOCKET)).toEqual([
      'ng_iface_output>ng_iface_send>ng_snd_item>ng_apply_item>ng_mppc_rcvdata>ng_snd_item>ng_apply_item>' +
        'ng_ksocket_rcvdata>sosend_dgram>udp_send>udp_output>ip_output@1',
    ]);
  });

  it('applied in the caller with exactly a quarter of the stack left; queued with one byte less (sl * 4 < st)', () => {
    const inline = setup(() => 750);
    expect(out(inline.env, ['pppoe'], ETHER)).toHaveLength(1);
    expect(inline.queued).toEqual([]);
    expect(inline.asked).toEqual([1, 1]);
    const low = setup(() => 751);
    expect(out(low.env, ['pppoe'], ETHER)).toEqual(['ng_iface_output>ng_iface_send>ng_snd_item']);
    expect(low.queued.map((i) => i.pkt)).toEqual([PKT]);
  });

  it("a queued item resumes on the worker at the node it stopped at; later checks measure the worker's stack", () => {
    const { env, queued, asked } = setup((t) => (t.id === CALLER.id ? 900 : 0));
    expect(out(env, ['ppp', 'pppoe'], ETHER)).toEqual(['ng_iface_output>ng_iface_send>ng_snd_item']);
    const item = queued[0];
    expect(item).toBeDefined();
    expect(leaves(item?.resume(WORKER) ?? leaf('none'))).toEqual([
      'ng_apply_item>ng_ppp_rcvdata>ng_snd_item>ng_apply_item>ng_pppoe_rcvdata>ng_snd_item>ng_apply_item>' +
        'ng_ether_rcv_lower>wire@9',
    ]);
    expect(asked).toEqual([1, 9, 9]);
  });
});

describe('NetgraphThread: the ng_queue worker', () => {
  it('applies queued items one per step, oldest first, each on its own stack under the ngthread frame', () => {
    const seen: string[] = [];
    const stack = new KernelStack(threadId(4), cpuId(2), (_d, frames) => seen.push(frames.join('>')), [
      { frame: 'fork_exit', frameBytes: 64 },
    ]);
    const worker = new NetgraphThread(stack, (f) => (f === 'ngthread' ? 128 : 0));
    expect([worker.id, worker.cpu, worker.name, worker.kind]).toEqual([4, 2, 'ng_queue', 'netisr']);
    expect(worker.runnable()).toBe(false);
    worker.enqueue({ pkt: PKT, resume: (t) => ({ ...leaf(`a@${t.id}`), frameBytes: 10 }) });
    worker.enqueue({ pkt: PKT, resume: (t) => ({ ...leaf(`b@${t.id}`), frameBytes: 20 }) });
    expect([worker.runnable(), worker.pendingItems]).toEqual([true, 2]);
    worker.step();
    expect(worker.pendingItems).toBe(1);
    worker.step();
    expect([worker.runnable(), worker.pendingItems]).toEqual([false, 0]);
    // High-water marks only: a then b (b is deeper), both on the worker's own thread (4).
    expect(seen).toEqual(['fork_exit>ngthread', 'fork_exit>ngthread>a@4', 'fork_exit>ngthread>b@4']);
    expect(stack.depthBytesMax).toBe(64 + 128 + 20);
  });
});
