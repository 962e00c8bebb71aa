import { cpuId, packetId, type VirtualNs, virtualNs } from '../../brand.ts';
import { knobDefaults } from '../../knobs.ts';
import type { Packet } from '../../packet.ts';
import { unwrap } from '../../result.ts';
import type { FlowSpec } from '../../rss/flowhash.ts';
import { makeFlow } from '../../rss/flowhash.ts';
import { type TimerHandle, TimerQueue } from '../../sim/timers.ts';
import { StatCounters } from '../../stats.ts';
import { Frag6, type Frag6Options } from '../frag6.ts';
import { IpReass, type IpReassLimits, type IpReassOptions } from '../ip_reass.ts';
import { inetKnobs } from '../knobs.ts';
import { type InetSysctls, ip6ReassLimits, ipReassLimits } from '../reass-limits.ts';
import type { ReassDrop } from '../reass-queue.ts';
import type { ReassEnv, ReassLimits, ReassResult } from '../reass-types.ts';

export const UDP4: FlowSpec = {
  family: 'inet',
  ipProto: 17,
  src: '10.0.0.1',
  dst: '10.1.0.1',
  sport: 1,
  dport: 2,
};
export const TCP4: FlowSpec = { ...UDP4, ipProto: 6 };
export const UDP6: FlowSpec = {
  family: 'inet6',
  ipProto: 17,
  src: '2001:db8::1',
  dst: '2001:db8::2',
  sport: 1,
  dport: 2,
};

/** Timer arming and cancelling as the table asked for it, in order. */
export type TimerLog = (['arm', number] | ['cancel'])[];

/**
 * A table of one family on a hand-cranked clock, with every drop and expiry collected. `limits`
 * overrides the derived limits directly (values the sysctl bounds would not let through).
 */
export function harness(
  family: 'inet' | 'inet6',
  sysctl: Partial<InetSysctls> = {},
  opts: IpReassOptions & Frag6Options = {},
  limits: Partial<IpReassLimits> = {},
) {
  const stats = new StatCounters();
  const timers = new TimerQueue<() => void>();
  let now = 0;
  const expired: ReassDrop[][] = [];
  const timerLog: TimerLog = [];
  const env: ReassEnv = {
    stats,
    nowNs: () => now,
    timers: {
      arm: (at: VirtualNs, fire: () => void): TimerHandle => {
        timerLog.push(['arm', at]);
        return timers.arm(at, fire);
      },
      cancel: (h: TimerHandle) => {
        timerLog.push(['cancel']);
        timers.cancel(h);
      },
    },
    onExpired: (d: readonly ReassDrop[]) => expired.push([...d]),
  };
  const s = { ...knobDefaults(inetKnobs), ...sysctl } as InetSysctls;
  const table =
    family === 'inet'
      ? new IpReass({ ...ipReassLimits(s), ...limits }, env, opts)
      : new Frag6({ ...ip6ReassLimits(s), ...(limits as Partial<ReassLimits>) }, env, opts);
  let ids = 0;
  const flows = new Map<FlowSpec, ReturnType<typeof makeFlow>>();
  const frag = (spec: FlowSpec, ipId: number, off: number, len: number, mf: boolean, version = 0): Packet => {
    if (!flows.has(spec)) flows.set(spec, makeFlow(flows.size, spec));
    const made = flows.get(spec);
    if (made === undefined) throw new Error('no flow');
    const flow = unwrap(made);
    return {
      id: packetId(ids++),
      flow,
      seq: 0,
      arrivedAtNs: virtualNs(now),
      rxRing: 0,
      allocCpu: cpuId(0),
      rcvifIndex: 1,
      fragment: { ipId, offsetBytes: off, lengthBytes: len, moreFragments: mf, contentVersion: version },
      payloadBytes: len,
      encap: [],
      hash: 0,
      hashType: 'none',
      netisrSource: 0,
    };
  };
  const advance = (ns: number) => {
    now += ns;
    for (const fire of timers.popDue(virtualNs(now))) fire();
  };
  /** Sets the clock without firing timers (a fragment arriving mid-interval). */
  const setNow = (ns: number) => {
    now = ns;
  };
  const flat = () => expired.flat();
  return { table, stats, frag, advance, setNow, expired, flat, timers, timerLog };
}

/** `id:counter` of every drop of a result. */
export const counters = (r: ReassResult) => r.drops.map((d) => `${d.pkt.id}:${d.counter}`);
/** `id:reason` of every drop of a result. */
export const reasons = (r: ReassResult) => r.drops.map((d) => `${d.pkt.id}:${d.reason}`);
/** (id, offset, length) of the pieces of a completed datagram. */
export function pieces(r: ReassResult): [number, number, number][] {
  if (r.kind !== 'complete') throw new Error(`not complete: ${r.kind}`);
  return r.pieces.map((p) => [p.pkt.id, p.offsetBytes, p.lengthBytes]);
}
