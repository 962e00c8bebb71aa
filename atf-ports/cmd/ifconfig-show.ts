import { formatTunnel, gifTunnel } from '../../model/net/gif.ts';
import type { Host } from '../../model/net/host.ts';
import {
  activeMac,
  type Ifnet,
  IN6_FLAG_BITS,
  type In6Ifaddr,
  type InIfaddr,
  ifFlagNames,
  ifFlagsWord,
} from '../../model/net/ifnet.ts';
import { in6LifetimeLeft } from '../../model/net/in6ctl.ts';
import { formatInAddr } from '../../model/net/inet.ts';

/** Display options of ifconfig(8). */
export interface ShowOptions {
  readonly family?: 'inet' | 'inet6' | 'link';
  readonly lifetimes: boolean;
  readonly resolve: boolean;
  readonly verbose: boolean;
  readonly media: boolean;
}

const IN4_FLAG_BITS = [
  ['tentative', 0x01, 'TENTATIVE'],
  ['duplicated', 0x02, 'DUPLICATED'],
  ['detached', 0x08, 'DETACHED'],
] as const;

function flagsText(word: number, names: readonly string[]): string {
  return names.length === 0 ? `0x${word.toString(16)}` : `0x${word.toString(16)}<${names.join(',')}>`;
}

function inetLine(ifp: Ifnet, ia: InIfaddr, opts: ShowOptions): string {
  let word = 0;
  const names: string[] = [];
  for (const [flag, bit, name] of IN4_FLAG_BITS) {
    if (!ia.flags.has(flag)) continue;
    word |= bit;
    names.push(name);
  }
  const addr = opts.resolve && ia.addr === 0x7f000001 ? 'localhost' : formatInAddr(ia.addr);
  const bcast = ifp.kind === 'loop' || ia.prefixLen >= 31 ? '' : ` broadcast ${formatInAddr(ia.broadcast)}`;
  return `\tinet ${addr}/${ia.prefixLen}${bcast} flags ${flagsText(word, names)}`;
}

function inet6Line(host: Host, ifp: Ifnet, ia: In6Ifaddr, opts: ShowOptions): string {
  let word = 0;
  const names: string[] = [];
  for (const [flag, bit] of IN6_FLAG_BITS) {
    if (!ia.flags.has(flag)) continue;
    word |= bit;
    names.push(flag.toUpperCase());
  }
  const text =
    opts.resolve && ia.addr === '::1' ? 'localhost' : ia.linkLocal ? `${ia.addr}%${ifp.name}` : ia.addr;
  let line = `\tinet6 ${text}/${ia.prefixLen} flags ${flagsText(word, names)}`;
  if (ia.linkLocal) line += ` scopeid 0x${ifp.index.toString(16)}`;
  const pl = in6LifetimeLeft(host, ia, 'pltime');
  const vl = in6LifetimeLeft(host, ia, 'vltime');
  if (opts.lifetimes && (pl !== undefined || vl !== undefined)) {
    line += ` pltime ${pl ?? 'infty'} vltime ${vl ?? 'infty'}`;
  }
  return line;
}

function counterLines(ifp: Ifnet): string[] {
  const c = ifp.counters;
  return [
    `\tinput: ${c.ipackets} packets, ${c.ibytes} bytes${c.imcasts > 0 ? `, ${c.imcasts} multicasts` : ''}`,
    `\toutput: ${c.opackets} packets, ${c.obytes} bytes${c.omcasts > 0 ? `, ${c.omcasts} multicasts` : ''}`,
  ];
}

/** One interface as `ifconfig shmif0` prints it. */
export function showInterface(host: Host, ifp: Ifnet, opts: ShowOptions): string[] {
  const out = [`${ifp.name}: flags=${flagsText(ifFlagsWord(ifp), ifFlagNames(ifp))} mtu ${ifp.mtu}`];
  if (ifp.metric !== 0) out[0] += ` metric ${ifp.metric}`;
  const mac = activeMac(ifp);
  if (opts.family === undefined || opts.family === 'link') {
    if (mac !== undefined) out.push(`\taddress: ${mac}`);
    if (ifp.busName !== undefined) out.push(`\tlinkstr: ${ifp.busName}`);
    if (ifp.kind !== 'loop') {
      const active = ifp.linkState === 'down' ? 'none' : 'autoselect';
      out.push(
        `\tmedia: Ethernet ${active}`,
        `\tstatus: ${ifp.linkState === 'down' ? 'no carrier' : 'active'}`,
      );
      if (opts.media) out.push('\tsupported Ethernet media:', '\t\tmedia none', '\t\tmedia autoselect');
    }
  }
  // gif(4): `tunnel inet 10.0.0.1 --> 10.0.0.2` (ifconfig's tunnel_status).
  const tunnel = gifTunnel(ifp);
  if (tunnel !== undefined && opts.family === undefined) out.push(`\ttunnel ${formatTunnel(tunnel)}`);
  if (opts.family === undefined || opts.family === 'inet')
    for (const ia of ifp.inAddrs) out.push(inetLine(ifp, ia, opts));
  if (opts.family === undefined || opts.family === 'inet6') {
    for (const ia of ifp.in6Addrs) out.push(inet6Line(host, ifp, ia, opts));
  }
  if (opts.verbose) out.push(...counterLines(ifp));
  return out;
}
