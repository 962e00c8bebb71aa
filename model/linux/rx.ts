import { assert, type CpuId, cpuId } from '../brand.ts';
import { IPPROTO_UDP } from '../packet.ts';
import {
  askPolicy,
  type DispatchContext,
  type DispatchPolicy,
  isPolicyError,
  type PacketView,
} from '../policy.ts';
import type { PolicyErrorKind } from '../trace.ts';
import { freeSkb, type LinuxEnv, type RunOn, type Skb } from './env.ts';
import { FLOW_LIMIT_HISTORY } from './knobs.ts';
import { type Softnet, skbFlowLimit } from './softnet.ts';
import type { UdpStack } from './udp.ts';

/** The read-only view a policy gets of an skb. */
function viewOf(skb: Skb): PacketView {
  const p = skb.pkt;
  return {
    id: skb.id,
    flow: p.flow.id,
    seq: p.seq,
    protocol: p.flow.family === 'inet' ? 'ip' : 'ip6',
    family: p.flow.family,
    ipProto: p.flow.ipProto,
    src: p.flow.srcText,
    dst: p.flow.dstText,
    sport: p.flow.sport,
    dport: p.flow.dport,
    hash: p.hash,
    hashType: p.hashType,
    isFragment: false,
    fragmentOffsetBytes: 0,
    rxRing: p.rxRing,
    rcvifIndex: p.rcvifIndex,
    source: 0,
    encapDepth: 0,
  };
}

/**
 * netif_receive_skb and what follows (net/core/dev.c): get_rps_cpu through the dispatch policy,
 * then either __netif_receive_skb inline on this CPU or enqueue_to_backlog on the chosen one;
 * __netif_receive_skb_core counts `processed` and hands IPv4 UDP to udp_rcv.
 */
export class LinuxRx {
  readonly #env: LinuxEnv;
  readonly #softnets: readonly Softnet[];
  readonly #policy: DispatchPolicy;
  readonly #udp: UdpStack;
  readonly #context: (cpu: CpuId) => DispatchContext;
  /** The qtail out-parameter get_rps_cpu named for the packet being received (R5). */
  #qtail: ((tail: number) => void) | undefined;

  constructor(
    env: LinuxEnv,
    softnets: readonly Softnet[],
    policy: DispatchPolicy,
    udp: UdpStack,
    context: (cpu: CpuId) => DispatchContext,
  ) {
    this.#env = env;
    this.#softnets = softnets;
    this.#policy = policy;
    this.#udp = udp;
    this.#context = context;
  }

  /** get_rps_cpu's `&rflow->last_qtail` for the packet now being placed. */
  saveQtail(save: (tail: number) => void): void {
    this.#qtail = save;
  }

  /** netif_receive_skb_internal on the polling CPU. */
  receive(skb: Skb, on: RunOn): void {
    this.#qtail = undefined;
    const placement = askPolicy(this.#policy, viewOf(skb), this.#context(on.cpu));
    if (isPolicyError(placement)) {
      this.#policyError(skb, on, placement.kind, placement.message);
      return;
    }
    const env = this.#env;
    const queued = placement.mode === 'queue';
    env.trace.record({
      kind: 'dispatch',
      atNs: env.clock.nowNs,
      pkt: skb.id,
      proto: 'ip',
      thread: on.thread,
      fromCpu: on.cpu,
      toCpu: placement.cpu,
      mode: queued ? 'queued' : placement.mode === 'hybrid' ? 'hybrid' : 'direct',
    });
    const qtail = this.#qtail;
    this.#qtail = undefined;
    if (queued) this.enqueueToBacklog(placement.cpu, skb, on, qtail);
    else this.receiveCore(skb, on);
  }

  #policyError(skb: Skb, on: RunOn, error: PolicyErrorKind, message: string): void {
    const env = this.#env;
    const base = { atNs: env.clock.nowNs, pkt: skb.id, flow: skb.pkt.flow.id, cpu: on.cpu };
    env.trace.record({ ...base, kind: 'policy-error', policy: this.#policy.name, error, message });
    env.stats.inc('ip.policy_errors');
    env.trace.record({ ...base, kind: 'drop', where: 'policy', reason: error, counter: 'ip.policy_errors' });
    freeSkb(env, skb, on.cpu);
  }

  /**
   * enqueue_to_backlog (R7, R8): admitted while the target's input_pkt_queue holds at most
   * netdev_max_backlog (so up to max + 1 packets) and skb_flow_limit lets it through. The first
   * packet into an empty queue schedules the backlog NAPI: locally, or by an RPS IPI this CPU sends
   * when its process_backlog starts or its net_rx_action ends (napi_schedule_rps). The tail after
   * the packet goes to `qtail` only when it is admitted. A refused packet counts in the target's
   * softnet `dropped`.
   */
  enqueueToBacklog(target: CpuId, skb: Skb, on: RunOn, qtail?: (tail: number) => void): void {
    const env = this.#env;
    const sd = this.#softnets[target];
    const here = this.#softnets[on.cpu];
    // parsePlacement range-checked the target; the polling CPU is one of the host's.
    assert(sd !== undefined && here !== undefined, 'R7: enqueue_to_backlog between two host CPUs');
    const maxBacklog = env.cfg.sysctl['net.core.netdev_max_backlog'];
    const qlen = sd.inputPktQueue.length;
    const underLimit = env.has('linux-backlog-drops-early') ? qlen < maxBacklog >> 1 : qlen <= maxBacklog;
    // skb_flow_limit acts from half of max_backlog on; below, its table is not read (nor made).
    const limited =
      underLimit && qlen >= maxBacklog >> 1
        ? skbFlowLimit(here.flowLimit, skb.pkt.hash, qlen, maxBacklog, env.cfg.rules['flow-limit-hash32'])
        : undefined;
    if (!underLimit || limited !== undefined) {
      sd.dropped++;
      env.trace.record({
        kind: 'drop',
        atNs: env.clock.nowNs,
        pkt: skb.id,
        flow: skb.pkt.flow.id,
        where: 'backlog',
        reason: limited === undefined ? 'input_pkt_queue over netdev_max_backlog' : 'flow_limit',
        counter: `softnet_cpu${target}.dropped`,
        cpu: target,
        // A flow-limit drop reports the flow's share of the last 128 packets against its cap.
        qlenPackets: limited ?? qlen,
        qlimitPackets: limited === undefined ? maxBacklog + 1 : (FLOW_LIMIT_HISTORY >> 1) + 1,
      });
      freeSkb(env, skb, on.cpu);
      return;
    }
    env.trace.record({
      kind: 'enqueue',
      atNs: env.clock.nowNs,
      pkt: skb.id,
      proto: 'ip',
      cpu: target,
      qlenBeforePackets: qlen,
      qlimitPackets: maxBacklog + 1,
    });
    if (qlen === 0 && !sd.backlog.sched) {
      sd.backlog.sched = true;
      napiScheduleRps(sd, here, env.has('linux-rps-ipi-at-end'));
    }
    sd.inputPktQueue.push(skb);
    sd.inputQueueTail = (sd.inputQueueTail + 1) >>> 0;
    // rps_input_queue_tail_save: only an admitted packet moves rflow->last_qtail (R5).
    qtail?.(sd.inputQueueTail);
  }

  /** __netif_receive_skb_core on `on.cpu` (N6): processed++, ip_rcv, then UDP. */
  receiveCore(skb: Skb, on: RunOn): void {
    const env = this.#env;
    const sd = this.#softnets[on.cpu];
    assert(sd !== undefined, 'N6: __netif_receive_skb_core runs on a host CPU');
    sd.processed++;
    const p = skb.pkt;
    env.trace.record({
      kind: 'handle',
      atNs: env.clock.nowNs,
      pkt: skb.id,
      flow: p.flow.id,
      seq: p.seq,
      proto: 'ip',
      cpu: on.cpu,
      thread: on.thread,
      hash: p.hash,
      hashType: p.hashType,
    });
    // udp_rcv and udpv6_rcv share the socket lookup and enqueue; only the MIB row differs.
    if (p.flow.ipProto === IPPROTO_UDP) {
      this.#udp.rcv(skb, on);
      return;
    }
    // Other protocols are not modelled past IP: consumed on this CPU.
    env.trace.record({
      kind: 'deliver',
      atNs: env.clock.nowNs,
      pkt: skb.id,
      flow: p.flow.id,
      seq: p.seq,
      cpu: on.cpu,
      thread: on.thread,
      layer: 'ip',
    });
    freeSkb(env, skb, on.cpu);
  }
}

/**
 * napi_schedule_rps (net/core/dev.c): another CPU's backlog goes on this CPU's rps_ipi_list, and
 * NET_RX_SOFTIRQ is raised here only outside net_rx_action (from 821eba962d95
 * "net: optimize napi_schedule_rps()", 6.4), which sends the IPIs itself; this CPU's own backlog is scheduled.
 */
function napiScheduleRps(sd: Softnet, here: Softnet, raiseAlways: boolean): void {
  if (sd === here) {
    sd.schedule(sd.backlog);
    return;
  }
  // No duplicate check, as in the kernel: NAPI_STATE_SCHED already keeps the backlog off a second list.
  here.rpsIpiList.push(sd.cpu);
  if (!here.inNetRxAction || raiseAlways) here.softirqRaised = true;
}

/** CPUs 0..n-1 (a loop: Array.from over an array-like is many times slower, and this runs per run). */
export function allCpus(n: number): CpuId[] {
  const out: CpuId[] = [];
  for (let c = 0; c < n; c++) out.push(cpuId(c));
  return out;
}
