import { describe, expect, it } from 'vitest';
import { cpuId, threadId } from '../brand.ts';
import { VirtualClock } from '../sim/clock.ts';
import { type KernelCall, nestedCalls } from '../sim/kthread.ts';
import { StatCounters } from '../stats.ts';
import { type TraceEvent, TraceRecorder } from '../trace.ts';
import { type InetEnv, ipDirectInputHandler, ipInputHandler } from './ip_input.ts';
import { harness, TCP4, UDP4, UDP6 } from './test/reass-harness.ts';

const thread = { id: threadId(7), cpu: cpuId(1) };

function env(reassemble?: InetEnv['reassemble']) {
  const trace = new TraceRecorder(100);
  const stats = new StatCounters();
  const e: InetEnv = {
    trace,
    clock: new VirtualClock(),
    stats,
    frameBytes: (frame) => frame.length,
    ...(reassemble === undefined ? {} : { reassemble }),
  };
  const events = () =>
    trace.finish({ kind: 'end', atNs: 0, outcome: 'quiescent' } as TraceEvent & { kind: 'end' });
  return { e, stats, events };
}

const p = harness('inet');
const whole = (spec = UDP4) => ({ ...p.frag(spec, 1, 0, 8, false), fragment: undefined });

/** Runs each call and what it calls, depth first; answers the frames with their sizes. */
function runAll(calls: KernelCall | readonly KernelCall[]): string[] {
  const list: readonly KernelCall[] = Array.isArray(calls) ? calls : [calls as KernelCall];
  return list.flatMap((c) => [`${c.frame}:${c.frameBytes}`, ...runAll(nestedCalls(c))]);
}

describe('ip_input / ip6_input (F-0, F-28)', () => {
  it('a whole datagram is counted and delivered to its protocol: udp, tcp, anything else raw ip', () => {
    const { e, stats, events } = env();
    const ip = ipInputHandler(e, 'ip');
    const raw = { ...whole(), flow: { ...whole().flow, ipProto: 47 } };
    const udp = whole();
    expect(runAll(ip(udp, thread))).toEqual(['udp_input:9']);
    expect(runAll(ip(whole(TCP4), thread))).toEqual(['tcp_input:9']);
    expect(runAll(ip(raw, thread))).toEqual(['rip_input:9']);
    expect(stats.snapshot()).toEqual({ ips_total: 3, ips_delivered: 3 });
    const delivered = events().filter((ev) => ev.kind === 'deliver');
    expect(delivered.map((ev) => (ev.kind === 'deliver' ? ev.layer : ''))).toEqual(['udp', 'tcp', 'rip']);
    expect(delivered[0]).toMatchObject({ pkt: udp.id, flow: udp.flow.id, cpu: 1, thread: 7, seq: 0 });
  });

  it('F-0: a fragment goes to reassembly, or without it is dropped and counted per family', () => {
    const seen: number[] = [];
    const withReass = env((pkt) => {
      seen.push(pkt.id);
      return [];
    });
    const frag = p.frag(UDP4, 2, 0, 8, true);
    expect(ipInputHandler(withReass.e, 'ip')(frag, thread)).toEqual([]);
    expect(seen).toEqual([frag.id]);
    expect(withReass.stats.snapshot()).toEqual({ ips_total: 1 });
    for (const [family, spec, counter] of [
      ['ip', UDP4, 'ips_fragdropped'],
      ['ip6', UDP6, 'ip6s_fragdropped'],
    ] as const) {
      const { e, stats, events } = env();
      const f = p.frag(spec, 3, 8, 8, false);
      expect(ipInputHandler(e, family)(f, thread)).toEqual([]);
      expect(stats.snapshot()).toEqual({ [`${family}s_total`]: 1, [counter]: 1 });
      expect(events()[0]).toEqual({
        kind: 'drop',
        atNs: 0,
        pkt: f.id,
        flow: f.flow.id,
        where: 'reassembly',
        reason: 'reassembly disabled',
        counter,
        cpu: 1,
      });
    }
  });

  it('ip6_input counts in ip6stat', () => {
    const { e, stats } = env();
    runAll(ipInputHandler(e, 'ip6')(whole(UDP6), thread));
    expect(stats.snapshot()).toEqual({ ip6s_total: 1, ip6s_delivered: 1 });
  });

  it('F-27: ip_direct_input delivers without ip_input counting the datagram again', () => {
    for (const [family, counter] of [
      ['ip', 'ips_delivered'],
      ['ip6', 'ip6s_delivered'],
    ] as const) {
      const { e, stats } = env();
      expect(runAll(ipDirectInputHandler(e, family)(whole(TCP4), thread))).toEqual(['tcp_input:9']);
      expect(stats.snapshot()).toEqual({ [counter]: 1 });
    }
  });
});
