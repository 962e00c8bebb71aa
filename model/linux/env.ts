import type { CpuId, PacketId, ThreadId } from '../brand.ts';
import type { Packet } from '../packet.ts';
import type { VirtualClock } from '../sim/clock.ts';
import type { StatCounters } from '../stats.ts';
import type { TraceRecorder } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import type { ResolvedLinuxConfig } from './config.ts';

/**
 * An sk_buff as the model tracks it: the packet it carries, the buffer id its `alloc` / `free`
 * events name, the CPU that allocated it (skb->alloc_cpu), its truesize, and the secpath tag
 * (an extension holding an xfrm state reference) when IPsec offload decrypted it.
 */
export interface Skb {
  readonly buf: number;
  readonly pkt: Packet;
  /** The id trace events use: the arrival's, or a multicast clone's own. */
  readonly id: PacketId;
  readonly allocCpu: CpuId;
  readonly truesizeBytes: number;
  secpathBuf: number | undefined;
  readonly cloneOf: PacketId | undefined;
}

/** What every part of the Linux receive path shares within one run. */
export interface LinuxEnv {
  readonly cfg: ResolvedLinuxConfig;
  readonly trace: TraceRecorder;
  readonly clock: VirtualClock;
  readonly stats: StatCounters;
  has(variant: ModelVariant): boolean;
  /** A fresh buffer id for an `alloc` event. */
  nextBuf(): number;
  /** A fresh packet id for a multicast clone (above every arrival id). */
  nextCloneId(): PacketId;
}

/** The thread a piece of kernel work runs in (softirq or reader), for `handle` / `deliver`. */
export interface RunOn {
  readonly cpu: CpuId;
  readonly thread: ThreadId;
}

/** Records `alloc` for a new skb (and its secpath tag). */
export function allocSkb(
  env: LinuxEnv,
  pkt: Packet,
  id: PacketId,
  cpu: CpuId,
  truesizeBytes: number,
  cloneOf?: PacketId,
): Skb {
  const buf = env.nextBuf();
  env.trace.record({ kind: 'alloc', atNs: env.clock.nowNs, buf, what: 'skb', cpu, pkt: id });
  let secpathBuf: number | undefined;
  if (env.cfg.secpathFlows.has(pkt.flow.id)) {
    secpathBuf = env.nextBuf();
    env.trace.record({ kind: 'alloc', atNs: env.clock.nowNs, buf: secpathBuf, what: 'tag', cpu, pkt: id });
  }
  return { buf, pkt, id, allocCpu: cpu, truesizeBytes, secpathBuf, cloneOf };
}

/** skb_ext_del(SKB_EXT_SEC_PATH): drops the xfrm state reference the skb holds (D5). */
export function releaseSecpath(env: LinuxEnv, skb: Skb, cpu: CpuId): void {
  if (skb.secpathBuf === undefined) return;
  env.trace.record({
    kind: 'free',
    atNs: env.clock.nowNs,
    buf: skb.secpathBuf,
    what: 'tag',
    cpu,
    allocCpu: skb.allocCpu,
    pkt: skb.id,
  });
  skb.secpathBuf = undefined;
}

/** __kfree_skb / napi_consume_skb on `cpu`: the head state (secpath) goes, then the buffer. */
export function freeSkb(env: LinuxEnv, skb: Skb, cpu: CpuId): void {
  releaseSecpath(env, skb, cpu);
  env.trace.record({
    kind: 'free',
    atNs: env.clock.nowNs,
    buf: skb.buf,
    what: 'skb',
    cpu,
    allocCpu: skb.allocCpu,
    pkt: skb.id,
  });
}
