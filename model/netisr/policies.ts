import { type CpuId, cpuId } from '../brand.ts';
import type { DispatchContext, DispatchPolicy, PacketView, Placement, PolicyFactory } from '../policy.ts';
import { hasBucketAffinity } from '../rss/hashtype.ts';
import type { NetisrDispatchPolicy } from './knobs.ts';
import { effectiveDispatch, type NetisrPolicy, type ProtocolRegistration } from './protocols.ts';

/**
 * FreeBSD's netisr placement and dispatch, written against the DispatchPolicy API like any user
 * policy: netisr_select_cpuid (N-2..N-5) picks the workstream, netisr_dispatch_src picks inline or
 * queue from the effective dispatch policy (N-1, N-11..N-13).
 */
export interface FreebsdPolicyOptions {
  /** The protocol table of the kernel under test. */
  readonly protocols: readonly ProtocolRegistration[];
  /** net.isr.dispatch. */
  readonly dispatch: NetisrDispatchPolicy;
  /** Replace the placement policy of ip and ip6 (the protocols that carry the workload). */
  readonly placement?: NetisrPolicy;
  /** Replace the dispatch policy of ip and ip6. */
  readonly ipDispatch?: NetisrDispatchPolicy;
  readonly name?: string;
}

const NETISR_CPUID_NONE = -1;

/** nws_array[x % nws_count]. */
function nwsCpu(ctx: DispatchContext, x: number): CpuId {
  const nws = ctx.workstreamCpus;
  return nws[x % nws.length] ?? cpuId(0);
}

/** R-7/R-9 (rss_hash2cpuid): the bucket's CPU for RSS hash types, else NETISR_CPUID_NONE. */
function rssM2cpuid(pkt: PacketView, ctx: DispatchContext): number {
  return hasBucketAffinity(pkt.hashType) ? ctx.bucketCpu(ctx.bucketOf(pkt.hash)) : NETISR_CPUID_NONE;
}

/** N-5: (if_index + source) % nws_count, or source alone without a receive interface. */
function sourceCpu(pkt: PacketView, ctx: DispatchContext): CpuId {
  return nwsCpu(ctx, pkt.rcvifIndex + pkt.source);
}

/** N-2..N-5 (netisr_select_cpuid). */
export function selectCpu(
  pkt: PacketView,
  ctx: DispatchContext,
  policy: NetisrPolicy,
  dispatch: NetisrDispatchPolicy,
): CpuId {
  if (ctx.workstreamCpus.length === 1) return nwsCpu(ctx, 0);
  switch (policy) {
    case 'cpu': {
      const cpu = rssM2cpuid(pkt, ctx);
      if (cpu !== NETISR_CPUID_NONE) return nwsCpu(ctx, cpu);
      // N-3: no CPU from the protocol: hybrid stays on the current CPU, otherwise SOURCE.
      return dispatch === 'hybrid' ? nwsCpu(ctx, ctx.cpu) : sourceCpu(pkt, ctx);
    }
    case 'flow':
      // N-4: any hash type but NONE carries a flowid; flowid % nws_count.
      return pkt.hashType !== 'none' ? nwsCpu(ctx, pkt.hash >>> 0) : sourceCpu(pkt, ctx);
    case 'source':
      return sourceCpu(pkt, ctx);
  }
}

/** N-11..N-13: deferred always queues; hybrid runs inline only on an idle current workstream. */
export function placeByDispatch(
  target: CpuId,
  ctx: DispatchContext,
  dispatch: NetisrDispatchPolicy,
): Placement {
  switch (dispatch) {
    case 'direct':
      return { cpu: ctx.cpu, mode: 'direct' };
    case 'deferred':
      return { cpu: target, mode: 'queue' };
    case 'hybrid':
      if (target !== ctx.cpu || ctx.busy(ctx.cpu)) return { cpu: target, mode: 'queue' };
      return { cpu: target, mode: 'hybrid' };
  }
}

export function freebsdNetisrPolicy(options: FreebsdPolicyOptions): PolicyFactory {
  const byName = new Map<string, ProtocolRegistration>(options.protocols.map((r) => [r.name, r]));
  const carriesWorkload = (proto: string) => proto === 'ip' || proto === 'ip6';
  return () => ({
    name:
      options.name ??
      `freebsd-${options.placement ?? 'registered'}-${options.ipDispatch ?? options.dispatch}`,
    place(pkt, ctx) {
      const reg = byName.get(pkt.protocol);
      const registered: NetisrPolicy = reg?.policy ?? 'source';
      const override = carriesWorkload(pkt.protocol);
      const policy = (override ? options.placement : undefined) ?? registered;
      let dispatch =
        (override ? options.ipDispatch : undefined) ??
        (reg ? effectiveDispatch(reg, options.dispatch) : options.dispatch);
      if (ctx.deferredOnly) dispatch = 'deferred';
      // N-12: DIRECT does no CPU selection at all.
      if (dispatch === 'direct') return { cpu: ctx.cpu, mode: 'direct' };
      return placeByDispatch(selectCpu(pkt, ctx, policy, dispatch), ctx, dispatch);
    },
  });
}

export const NETISR_POLICIES: readonly NetisrPolicy[] = ['source', 'flow', 'cpu'];
export const NETISR_DISPATCHES: readonly NetisrDispatchPolicy[] = ['direct', 'hybrid', 'deferred'];

/** Every SOURCE/FLOW/CPU x DIRECT/HYBRID/DEFERRED combination for ip and ip6, by name. */
export function builtinNetisrPolicies(
  protocols: readonly ProtocolRegistration[],
): readonly { readonly name: string; readonly factory: PolicyFactory }[] {
  return NETISR_POLICIES.flatMap((placement) =>
    NETISR_DISPATCHES.map((ipDispatch) => {
      const name = `freebsd-${placement}-${ipDispatch}`;
      return {
        name,
        factory: freebsdNetisrPolicy({ protocols, dispatch: 'direct', placement, ipDispatch, name }),
      };
    }),
  );
}

export type { DispatchPolicy };
