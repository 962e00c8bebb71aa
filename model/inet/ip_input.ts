import type { ProtocolHandler, ThreadRef } from '../netisr/setup.ts';
import type { Packet } from '../packet.ts';
import { IPPROTO_TCP, IPPROTO_UDP, isFragment } from '../packet.ts';
import type { VirtualClock } from '../sim/clock.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { StatCounters } from '../stats.ts';
import type { TraceRecorder } from '../trace.ts';

export interface InetEnv {
  readonly trace: TraceRecorder;
  readonly clock: VirtualClock;
  readonly stats: StatCounters;
  readonly frameBytes: (frame: string) => number;
  /**
   * ip_reass / frag6_input: takes a fragment; answers the calls to make (the datagram's upper
   * layer, or a re-injection). Without reassembly modelled, fragments are dropped and counted.
   */
  readonly reassemble?: (pkt: Packet, thread: ThreadRef) => readonly KernelCall[];
}

/** An upper-layer input routine (pr_input) and the layer name its `deliver` event carries. */
interface UpperLayer {
  readonly frame: string;
  readonly layer: string;
}

const UDP_INPUT: UpperLayer = { frame: 'udp_input', layer: 'udp' };
const TCP_INPUT: UpperLayer = { frame: 'tcp_input', layer: 'tcp' };
const RIP_INPUT: UpperLayer = { frame: 'rip_input', layer: 'rip' };

/** The upper-layer input routine a datagram ends in (pr_input). */
function upperLayer(pkt: Packet): UpperLayer {
  if (pkt.flow.ipProto === IPPROTO_UDP) return UDP_INPUT;
  if (pkt.flow.ipProto === IPPROTO_TCP) return TCP_INPUT;
  return RIP_INPUT;
}

/** pr_input: the socket layer takes the datagram; the `deliver` event records where. */
export function deliverCall(env: InetEnv, pkt: Packet, thread: ThreadRef): KernelCall {
  const upper = upperLayer(pkt);
  return new DeliverCall(env, upper.frame, env.frameBytes(upper.frame), upper.layer, pkt, thread);
}

/** A class, not a literal with an arrow function: no closure per delivered packet. */
class DeliverCall implements KernelCall {
  constructor(
    readonly env: InetEnv,
    readonly frame: string,
    readonly frameBytes: number,
    readonly layer: string,
    readonly pkt: Packet,
    readonly thread: ThreadRef,
  ) {}

  run(): undefined {
    const { env, pkt, thread, layer } = this;
    env.trace.record({
      kind: 'deliver',
      atNs: env.clock.nowNs,
      pkt: pkt.id,
      flow: pkt.flow.id,
      seq: pkt.seq,
      cpu: thread.cpu,
      thread: thread.id,
      layer,
    });
    return undefined;
  }
}

/**
 * ip_input / ip6_input (sys/netinet/ip_input.c): counts the packet, sends fragments to
 * reassembly (F-0), and hands whole datagrams to the upper layer (ips_delivered).
 */
export function ipInputHandler(env: InetEnv, family: 'ip' | 'ip6'): ProtocolHandler {
  const total = family === 'ip' ? 'ips_total' : 'ip6s_total';
  const delivered = family === 'ip' ? 'ips_delivered' : 'ip6s_delivered';
  return (pkt, thread) => {
    env.stats.inc(total);
    if (isFragment(pkt)) {
      if (env.reassemble) return env.reassemble(pkt, thread);
      env.stats.inc(family === 'ip' ? 'ips_fragdropped' : 'ip6s_fragdropped');
      env.trace.record({
        kind: 'drop',
        atNs: env.clock.nowNs,
        pkt: pkt.id,
        flow: pkt.flow.id,
        where: 'reassembly',
        reason: 'reassembly disabled',
        counter: family === 'ip' ? 'ips_fragdropped' : 'ip6s_fragdropped',
        cpu: thread.cpu,
      });
      return [];
    }
    env.stats.inc(delivered);
    return deliverCall(env, pkt, thread);
  };
}

/** ip_direct_input (F-27): a reassembled datagram skips validation and goes straight up. */
export function ipDirectInputHandler(env: InetEnv, family: 'ip' | 'ip6'): ProtocolHandler {
  const delivered = family === 'ip' ? 'ips_delivered' : 'ip6s_delivered';
  return (pkt, thread) => {
    env.stats.inc(delivered);
    return deliverCall(env, pkt, thread);
  };
}
