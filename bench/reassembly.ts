/**
 * Reassembly cost per fragment as the queue grows: `npm run bench:reass`.
 *
 * ip_reass and frag6_input keep a datagram's fragments in a list sorted by offset and walk it for
 * every fragment (find the place, trim, check completion), so the work per fragment grows with
 * the queue and a datagram of n fragments costs O(n^2). FreeBSD bounds n with maxfragsperpacket
 * (16 for IPv4, 64 for IPv6) and drops the queue past it (F-17). This bench raises the limit to
 * let one queue reach 10, 100 and 1000 fragments and reports wall time and list entries walked
 * per fragment; then it feeds the same endless streams to the kernel's default limits, where the
 * cost per fragment stays flat.
 */
import { cpuId, packetId, virtualNs } from '../model/brand.ts';
import { Frag6 } from '../model/inet/frag6.ts';
import { IpReass } from '../model/inet/ip_reass.ts';
import { inetKnobs } from '../model/inet/knobs.ts';
import { type InetSysctls, ip6ReassLimits, ipReassLimits } from '../model/inet/reass-limits.ts';
import type { ReassTable } from '../model/inet/reass-types.ts';
import { knobDefaults } from '../model/knobs.ts';
import type { Packet } from '../model/packet.ts';
import { unwrap } from '../model/result.ts';
import { makeFlow } from '../model/rss/flowhash.ts';
import { TimerQueue } from '../model/sim/timers.ts';
import { StatCounters } from '../model/stats.ts';

const QUEUE_SIZES = [10, 100, 1000] as const;
type Order = 'in order' | 'reversed' | 'endless (never completes)';

function table(family: 'inet' | 'inet6', perPacket: number | undefined): ReassTable {
  const timers = new TimerQueue<() => void>();
  const env = {
    stats: new StatCounters(),
    nowNs: () => 0,
    timers: {
      arm: (at: ReturnType<typeof virtualNs>, fire: () => void) => timers.arm(at, fire),
      cancel: () => {},
    },
    onExpired: () => {},
  };
  const sysctl = { ...knobDefaults(inetKnobs) } as InetSysctls;
  if (perPacket !== undefined) {
    sysctl['net.inet.ip.maxfragsperpacket'] = perPacket;
    sysctl['net.inet6.ip6.maxfragsperpacket'] = perPacket;
  }
  return family === 'inet' ? new IpReass(ipReassLimits(sysctl), env) : new Frag6(ip6ReassLimits(sysctl), env);
}

function fragments(family: 'inet' | 'inet6', n: number, order: Order): Packet[] {
  const flow = unwrap(
    makeFlow(0, {
      family,
      ipProto: 17,
      src: family === 'inet' ? '10.0.0.1' : '2001:db8::1',
      dst: family === 'inet' ? '10.0.0.2' : '2001:db8::2',
      sport: 1,
      dport: 2,
    }),
  );
  const endless = order === 'endless (never completes)';
  const out = Array.from({ length: n }, (_, i): Packet => {
    // An endless stream never sends offset 0, so the datagram can never complete.
    const offsetBytes = (endless ? i + 1 : i) * 8;
    return {
      id: packetId(i),
      flow,
      seq: i,
      arrivedAtNs: virtualNs(0),
      rxRing: 0,
      allocCpu: cpuId(0),
      rcvifIndex: 1,
      fragment: { ipId: 1, offsetBytes, lengthBytes: 8, moreFragments: endless || i < n - 1 },
      payloadBytes: 8,
      encap: [],
      hash: 0,
      hashType: 'none',
      netisrSource: 0,
    };
  });
  return order === 'reversed' ? out.reverse() : out;
}

/** Feeds the fragments to a fresh table; answers the list entries walked and the ms spent in input. */
function feed(
  family: 'inet' | 'inet6',
  frags: readonly Packet[],
  perPacket: number | undefined,
): { steps: number; ms: number } {
  const t = table(family, perPacket);
  let steps = 0;
  const start = performance.now();
  for (const f of frags) steps += t.input(f).steps;
  return { steps, ms: performance.now() - start };
}

/** Median time of the input calls alone (the table's construction is not timed), over >= 200 ms. */
function medianInputMs(
  family: 'inet' | 'inet6',
  frags: readonly Packet[],
  perPacket: number | undefined,
): number {
  feed(family, frags, perPacket);
  const samples: number[] = [];
  let total = 0;
  while (samples.length < 7 || total < 200) {
    const { ms } = feed(family, frags, perPacket);
    samples.push(ms);
    total += ms;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

interface Row {
  readonly family: string;
  readonly limit: string;
  readonly order: Order;
  readonly fragments: number;
  readonly nsPerFragment: number;
  readonly stepsPerFragment: number;
}

function measure(family: 'inet' | 'inet6', n: number, order: Order, perPacket: number | undefined): Row {
  const frags = fragments(family, n, order);
  const { steps } = feed(family, frags, perPacket);
  const ms = medianInputMs(family, frags, perPacket);
  return {
    family: family === 'inet' ? 'IPv4' : 'IPv6',
    limit: perPacket === undefined ? 'default' : `${perPacket}`,
    order,
    fragments: n,
    nsPerFragment: (ms * 1e6) / n,
    stepsPerFragment: steps / n,
  };
}

function print(rows: readonly Row[]): void {
  const header = [
    'family',
    'maxfragsperpacket',
    'arrival',
    'queue size',
    'ns/fragment',
    'entries walked/fragment',
  ];
  const lines = rows.map((r) => [
    r.family,
    r.limit,
    r.order,
    `${r.fragments}`,
    r.nsPerFragment.toFixed(0),
    r.stepsPerFragment.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

const rows: Row[] = [];
for (const family of ['inet', 'inet6'] as const) {
  for (const order of ['in order', 'reversed'] as const) {
    for (const n of QUEUE_SIZES) rows.push(measure(family, n, order, n));
  }
  for (const n of QUEUE_SIZES) rows.push(measure(family, n, 'endless (never completes)', undefined));
}
console.log(
  'Reassembly cost per fragment (one datagram, 8-byte fragments; the limit raised to the queue size)\n',
);
print(rows);
const growth = (family: string, order: Order) => {
  const at = (n: number) => rows.find((r) => r.family === family && r.order === order && r.fragments === n);
  const a = at(10);
  const b = at(1000);
  return a && b ? (b.nsPerFragment / a.nsPerFragment).toFixed(1) : '?';
};
console.log(
  `\nns/fragment at 1000 vs 10: IPv4 in order x${growth('IPv4', 'in order')}, IPv6 in order x${growth('IPv6', 'in order')};` +
    ` with the default limits (endless stream) x${growth('IPv4', 'endless (never completes)')} (IPv4), x${growth('IPv6', 'endless (never completes)')} (IPv6).`,
);
