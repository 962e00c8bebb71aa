import { describe, expect, it } from 'vitest';
import { cpuId, packetId, threadId } from '../brand.ts';
import type { Packet } from '../packet.ts';
import { VirtualClock } from '../sim/clock.ts';
import type { KernelCall, KernelStack } from '../sim/kthread.ts';
import { TraceRecorder } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import type { Netisr } from './netisr.ts';
import { FREEBSD_PROTOCOLS } from './protocols.ts';
import { NetisrThread } from './swi.ts';
import { type NetisrWork, Workstream } from './workstream.ts';

/**
 * One SWI thread on its own, against a real workstream: the netisr layer and the kernel stack are
 * stand-ins that record which handler ran for which packet, so each step's flags and counters show.
 */
function swiOn(cpu: number, variants: readonly ModelVariant[] = []) {
  const ip = FREEBSD_PROTOCOLS.find((r) => r.name === 'ip');
  const arp = FREEBSD_PROTOCOLS.find((r) => r.name === 'arp');
  if (ip === undefined || arp === undefined) throw new Error('protocol table');
  const ws = new Workstream(cpuId(cpu), true, [
    { reg: ip, qlimitPackets: 256 },
    { reg: arp, qlimitPackets: 256 },
  ]);
  const works = { ip: ws.work(0), arp: ws.work(1) };
  const handled: string[] = [];
  const netisr = {
    handlerCall: (proto: string, pkt: Packet): KernelCall => ({
      frame: `${proto} ${pkt.id}`,
      frameBytes: 0,
      run: () => [],
    }),
  } as unknown as Netisr;
  const stack = {
    thread: threadId(7),
    execute: (call: KernelCall) => void handled.push(call.frame),
  } as unknown as KernelStack;
  const trace = new TraceRecorder(100);
  const clock = new VirtualClock();
  const swi = new NetisrThread(ws, netisr, stack, { trace, clock, variants: new Set(variants) });
  let next = 0;
  const queue = (work: NetisrWork, n: number) => {
    for (let i = 0; i < n; i++) work.queue.push({ id: packetId(next++) } as Packet);
    // netisr_queue_workstream: an idle workstream is SCHEDULED; a busy one is left as it is.
    if (!ws.busy) ws.scheduled = true;
  };
  const flags = () => ({ running: ws.running, scheduled: ws.scheduled });
  return { swi, ws, works, handled, trace, queue, flags };
}

describe('the netisr SWI thread (swi_net, netisr_process_workstream_proto)', () => {
  it('is the thread of its stack, named after its CPU, of the netisr kind', () => {
    const { swi } = swiOn(3);
    expect([swi.id, swi.cpu, swi.name, swi.kind]).toEqual([7, 3, 'netisr 3', 'netisr']);
  });

  it('runs only while its workstream is SCHEDULED or RUNNING (N-16)', () => {
    const { swi, ws } = swiOn(0);
    const seen = [];
    for (const [scheduled, running] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      ws.scheduled = scheduled;
      ws.running = running;
      seen.push(swi.runnable());
    }
    expect(seen).toEqual([false, true, true, true]);
  });

  it('sets RUNNING and clears SCHEDULED when it starts, and clears RUNNING with nothing left', () => {
    const { swi, ws, works, queue, flags, handled } = swiOn(0);
    queue(works.ip, 1);
    swi.step();
    expect(handled).toEqual(['ip 0']);
    expect(flags()).toEqual({ running: false, scheduled: false });
    // Woken with nothing queued (the packet was handled inline meanwhile): one idle step.
    ws.scheduled = true;
    swi.step();
    expect(flags()).toEqual({ running: false, scheduled: false });
    expect(handled).toEqual(['ip 0']);
  });

  it('takes the whole queue as one batch and counts it Handled only when the batch is done (N-17)', () => {
    const { swi, works, queue, flags, handled, trace } = swiOn(2);
    queue(works.ip, 3);
    swi.step();
    expect(trace.finish({ kind: 'end' } as never).slice(0, 1)).toEqual([
      { kind: 'batch', atNs: 0, proto: 'ip', cpu: 2, thread: 7, packets: 3 },
    ]);
    expect([works.ip.lenPackets, works.ip.handled, handled]).toEqual([0, 0, ['ip 0']]);
    expect(flags()).toEqual({ running: true, scheduled: false });
    swi.step();
    expect([works.ip.handled, flags().running]).toEqual([0, true]);
    swi.step();
    expect([works.ip.handled, flags().running, handled]).toEqual([3, false, ['ip 0', 'ip 1', 'ip 2']]);
  });

  it('keeps RUNNING between batches while a protocol is still pending (N-16)', () => {
    const { swi, works, queue, flags, handled } = swiOn(0);
    queue(works.ip, 1);
    queue(works.arp, 1);
    swi.step();
    // arp is still to be processed in this pass.
    expect([handled, flags()]).toEqual([['ip 0'], { running: true, scheduled: false }]);
    swi.step();
    expect([handled, flags()]).toEqual([['ip 0', 'arp 1'], { running: false, scheduled: false }]);
  });

  it('keeps RUNNING after the last batch of a pass when more was queued meanwhile', () => {
    const { swi, works, queue, flags, handled } = swiOn(0);
    queue(works.ip, 2);
    swi.step();
    queue(works.ip, 1);
    expect(flags()).toEqual({ running: true, scheduled: false });
    swi.step();
    expect([handled, flags().running]).toEqual([['ip 0', 'ip 1'], true]);
    swi.step();
    expect([handled, flags().running]).toEqual([['ip 0', 'ip 1', 'ip 2'], false]);
  });

  it('handles the protocols pending at the start of a pass in protocol order, each once per pass', () => {
    const { swi, works, queue, handled } = swiOn(0);
    queue(works.arp, 1);
    queue(works.ip, 1);
    swi.step();
    // ip queued again while the pass is on arp: it waits for the next pass.
    queue(works.ip, 1);
    swi.step();
    swi.step();
    expect(handled).toEqual(['ip 1', 'arp 0', 'ip 2']);
  });

  it('handles a batch oldest first, and newest first under netisr-lifo-dequeue', () => {
    for (const [variants, order] of [
      [[], ['ip 0', 'ip 1', 'ip 2']],
      [['netisr-lifo-dequeue'], ['ip 2', 'ip 1', 'ip 0']],
    ] as const) {
      const { swi, works, queue, handled } = swiOn(0, variants);
      queue(works.ip, 3);
      for (let i = 0; i < 3; i++) swi.step();
      expect(handled).toEqual(order);
    }
  });
});
