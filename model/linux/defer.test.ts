import { describe, expect, it } from 'vitest';
import { type CpuId, cpuId, packetId, virtualNs } from '../brand.ts';

import type { Packet } from '../packet.ts';
import { unwrap } from '../result.ts';
import { VirtualClock } from '../sim/clock.ts';
import { StatCounters } from '../stats.ts';
import { type TraceEvent, TraceRecorder } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import { resolveLinuxConfig } from './config.ts';
import { skbAttemptDeferFree, skbDeferFreeFlush } from './defer.ts';
import type { LinuxEnv, Skb } from './env.ts';
import { Softnet } from './softnet.ts';
import type { LinuxKernel } from './versions.ts';

/**
 * skb_attempt_defer_free (net/core/skbuff.c) and skb_defer_free_flush (net/core/dev.c) driven
 * directly: skbs allocated on CPU 0 freed on CPU 1, with no net_rx_action in between.
 */
function rig(deferMax: number, variants: ModelVariant[] = [], kernel: LinuxKernel = 'linux-6.18') {
  const cfg = unwrap(
    resolveLinuxConfig({ cpuCount: 2, kernel, variants, sysctl: { 'net.core.skb_defer_max': deferMax } }),
  );
  const trace = new TraceRecorder(100_000);
  let buf = 0;
  const env: LinuxEnv = {
    cfg,
    trace,
    clock: new VirtualClock(),
    stats: new StatCounters(),
    has: (v) => cfg.variants.has(v),
    nextBuf: () => buf++,
    nextCloneId: () => packetId(0),
  };
  const softnets = [new Softnet(cpuId(0), 64, undefined), new Softnet(cpuId(1), 64, undefined)];
  const raised: string[] = [];
  const free = (n: number, cpu = 1) => {
    for (let i = 0; i < n; i++) {
      const skb: Skb = {
        buf: buf++,
        pkt: {} as Packet,
        id: packetId(i),
        allocCpu: cpuId(0),
        truesizeBytes: 768,
        secpathBuf: undefined,
        cloneOf: undefined,
      };
      skbAttemptDeferFree(env, softnets, skb, cpuId(cpu) as CpuId, (from, to) =>
        raised.push(`${from}->${to}`),
      );
    }
  };
  const events = () => trace.finish({ kind: 'end', atNs: virtualNs(0) } as never);
  const defers = () =>
    events().filter((e): e is Extract<TraceEvent, { kind: 'defer-free' }> => e.kind === 'defer-free');
  return { env, softnets, raised, free, defers };
}

const kicksAt = (r: ReturnType<typeof rig>) => r.defers().flatMap((e) => (e.kick ? [e.listLenBefore] : []));

describe('skb_attempt_defer_free (D2..D4)', () => {
  it('D2: freed on its allocating CPU: "local", no kick, no list', () => {
    const r = rig(64);
    r.free(3, 0);
    expect(r.defers().map((e) => [e.outcome, e.kick, e.listLenBefore])).toEqual([
      ['local', false, 0],
      ['local', false, 0],
      ['local', false, 0],
    ]);
    expect(r.softnets[0]?.deferList).toHaveLength(0);
  });

  it('D3: a full list frees at once: "list-full", no kick', () => {
    const r = rig(2, [], 'linux-6.6');
    r.free(4);
    expect(r.defers().map((e) => [e.outcome, e.kick, e.listLenBefore])).toEqual([
      ['deferred', false, 0],
      ['deferred', true, 1],
      ['list-full', false, 2],
      ['list-full', false, 2],
    ]);
    expect(r.raised).toEqual(['1->0']);
  });

  // "if (unlikely(kick) && !cmpxchg(&sd->defer_ipi_scheduled, 0, 1))" with
  // kick = sd->defer_count == (defer_max >> 1), read before the increment.
  it('D4: the insert that finds defer_count == skb_defer_max / 2 kicks, once', () => {
    const r = rig(8, [], 'linux-6.6');
    r.free(10);
    expect(kicksAt(r)).toEqual([4]);
  });

  it('the pre-fix kick reads the count after the increment: one insert earlier', () => {
    const r = rig(8, ['linux-skb-defer-kick-after-increment'], 'linux-6.6');
    r.free(10);
    expect(kicksAt(r)).toEqual([3]);
  });

  // 68822bdf76 before skb_defer_max: "if (unlikely(kick) ...)" with kick = defer_count == 128.
  it('unbounded (before skb_defer_max): every skb parks; the 128th insert kicks', () => {
    const r = rig(8, ['linux-skb-defer-unbounded']);
    r.free(200);
    expect(kicksAt(r)).toEqual([127]);
    expect(r.softnets[0]?.deferList).toHaveLength(200);
  });

  it('D6: the flush on the owner frees the list and restarts the count', () => {
    const r = rig(8, [], 'linux-6.6');
    r.free(3);
    const owner = r.softnets[0] as Softnet;
    skbDeferFreeFlush(r.env, owner);
    expect([owner.deferList.length, owner.deferCount]).toEqual([0, 0]);
    r.free(1);
    expect(r.defers().at(-1)?.listLenBefore).toBe(0);
  });
});
