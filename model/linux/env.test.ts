import { describe, expect, it } from 'vitest';
import { cpuId, packetId, virtualNs } from '../brand.ts';
import type { Packet } from '../packet.ts';
import { unwrap } from '../result.ts';
import { VirtualClock } from '../sim/clock.ts';
import { StatCounters } from '../stats.ts';
import { TraceRecorder } from '../trace.ts';
import { resolveLinuxConfig } from './config.ts';
import { allocSkb, type LinuxEnv } from './env.ts';

describe('allocSkb: the skb and, for an IPsec-offloaded flow, its secpath tag', () => {
  const cfg = unwrap(resolveLinuxConfig({ cpuCount: 2, secpathFlows: [3] }));
  const trace = new TraceRecorder(100);
  let buf = 0;
  const env: LinuxEnv = {
    cfg,
    trace,
    clock: new VirtualClock(),
    stats: new StatCounters(),
    has: () => false,
    nextBuf: () => buf++,
    nextCloneId: () => packetId(0),
  };
  const pkt = (flow: number) => ({ flow: { id: flow } }) as unknown as Packet;

  it('a flow without IPsec offload: one skb alloc, no secpath', () => {
    const skb = allocSkb(env, pkt(2), packetId(7), cpuId(1), 768);
    expect(skb).toMatchObject({ buf: 0, id: 7, allocCpu: 1, truesizeBytes: 768, secpathBuf: undefined });
    const skb2 = allocSkb(env, pkt(3), packetId(8), cpuId(0), 768);
    expect(skb2.secpathBuf).toBe(2);
    const events = trace.finish({ kind: 'end', atNs: virtualNs(0) } as never);
    expect(events.map((e) => (e.kind === 'alloc' ? `${e.what} ${e.buf} ${e.pkt}` : e.kind))).toEqual([
      'skb 0 7',
      'skb 1 8',
      'tag 2 8',
      'end',
    ]);
  });
});
