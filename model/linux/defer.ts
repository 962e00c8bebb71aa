import { assert, type CpuId } from '../brand.ts';
import { freeSkb, type LinuxEnv, releaseSecpath, type Skb } from './env.ts';
import type { Softnet } from './softnet.ts';

/** The fixed kick of 68822bdf76 before skb_defer_max existed: one IPI when the count hits 128. */
const DEFER_KICK_FIXED = 128;

/**
 * skb_attempt_defer_free (net/core/skbuff.c): an skb freed away from the CPU that allocated it goes
 * on that CPU's defer list, to be freed there by net_rx_action (D6). Freed at once when it is
 * local (D2) or the list is full (D3). The insert that finds defer_count == skb_defer_max / 2
 * kicks (D4): an IPI raises NET_RX_SOFTIRQ on the owner, so an idle CPU drains too. Full: before
 * 6.18 (a locked count) when defer_count >= skb_defer_max; from 6.18 (844c9db7f7f5, an llist and
 * atomic_long_inc_return) when the count after this skb's increment is >= skb_defer_max, refused
 * skbs counted too. One list per allocating CPU: the model has one NUMA node, so 6.18's per-node
 * lists (5628f3fe3b16) are one list here.
 */
export function skbAttemptDeferFree(
  env: LinuxEnv,
  softnets: readonly Softnet[],
  skb: Skb,
  cpu: CpuId,
  raise: (from: CpuId, to: CpuId) => void,
): void {
  const owner = softnets[skb.allocCpu];
  assert(owner !== undefined, 'D1: an skb was allocated on a CPU of the host');
  const deferMax = env.cfg.sysctl['net.core.skb_defer_max'];
  const unbounded = env.has('linux-skb-defer-unbounded');
  const listLenBefore = owner.deferList.length;
  if (skb.allocCpu === cpu && !env.has('linux-skb-defer-to-self')) {
    recordDeferFree(env, skb, cpu, 'local', listLenBefore, false);
    freeSkb(env, skb, cpu);
    return;
  }
  const countFirst = env.cfg.rules['defer-count-first'] && !unbounded;
  if (countFirst) owner.deferCount++;
  const countBefore = countFirst ? owner.deferCount - 1 : owner.deferCount;
  if (!unbounded && (countFirst ? owner.deferCount : countBefore) >= deferMax) {
    recordDeferFree(env, skb, cpu, 'list-full', listLenBefore, false);
    freeSkb(env, skb, cpu);
    return;
  }
  // D5 ("net: drop secpath extension before skb deferral free"): no xfrm reference is parked.
  if (!env.has('linux-skb-defer-keeps-secpath')) releaseSecpath(env, skb, cpu);
  const kick = deferKick(env, countBefore, deferMax, unbounded);
  if (!countFirst) owner.deferCount++;
  owner.deferList.unshift(skb);
  recordDeferFree(env, skb, cpu, 'deferred', listLenBefore, kick);
  if (kick) raise(cpu, skb.allocCpu);
}

/** The `defer-free` event: what skb_attempt_defer_free did with the skb, and the list it found. */
function recordDeferFree(
  env: LinuxEnv,
  skb: Skb,
  cpu: CpuId,
  outcome: 'deferred' | 'local' | 'list-full',
  listLenBefore: number,
  kick: boolean,
): void {
  env.trace.record({
    kind: 'defer-free',
    atNs: env.clock.nowNs,
    buf: skb.buf,
    pkt: skb.id,
    cpu,
    allocCpu: skb.allocCpu,
    outcome,
    listLenBefore,
    deferMax: env.cfg.sysctl['net.core.skb_defer_max'],
    kick,
  });
}

/** D4: Kicinski's fix tests the count before the increment, so skb_defer_max = 1 kicks too. */
function deferKick(env: LinuxEnv, countBefore: number, deferMax: number, unbounded: boolean): boolean {
  if (env.has('linux-skb-defer-no-kick')) return false;
  if (unbounded) return countBefore + 1 === DEFER_KICK_FIXED;
  if (env.has('linux-skb-defer-kick-after-increment')) return countBefore + 1 === deferMax >> 1;
  return countBefore === deferMax >> 1;
}

/**
 * skb_defer_free_flush (net/core/dev.c, D6): on the owning CPU, take the whole list and free it;
 * an empty list leaves defer_count as it is.
 */
export function skbDeferFreeFlush(env: LinuxEnv, sd: Softnet): void {
  if (sd.deferList.length === 0 || env.has('linux-skb-defer-not-drained')) return;
  sd.deferCount = 0;
  for (const skb of sd.deferList) freeSkb(env, skb, sd.cpu);
  sd.deferList.length = 0;
}
