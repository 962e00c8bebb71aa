import type { Host } from '../../model/net/host.ts';
import { formatInAddr, formatShortNet, type InAddr } from '../../model/net/inet.ts';
import { NETSTAT_FLAG_LETTERS, type RtEntry, type RtFlag } from '../../model/net/route.ts';
import { gatewaySockaddr } from '../../model/net/rtops.ts';
import { formatSockaddr } from './format.ts';
import { inet6Rows } from './netstat6.ts';
import { type CmdContext, type CmdResult, lines, splitShortOptions, success } from './types.ts';

const HEADER = 'Destination        Gateway            Flags    Refs      Use    Mtu Interface';

/** The flag letters of a route in netstat's order (`UGHS`). */
export function flagLetters(flags: Iterable<RtFlag>): string {
  const set = new Set(flags);
  return NETSTAT_FLAG_LETTERS.filter(([f]) => set.has(f))
    .map(([, letter]) => letter)
    .join('');
}

interface Row {
  readonly sortKey: number;
  readonly text: string;
}

function row(dst: string, gw: string, flags: string, mtu: string, ifname: string): string {
  return `${dst.padEnd(18)} ${gw.padEnd(18)} ${flags.padEnd(6)} ${'-'.padStart(6)} ${'-'.padStart(8)} ${mtu.padStart(6)}  ${ifname}`;
}

function routeRow4(host: Host, rt: RtEntry<InAddr>): Row {
  const dst = rt.flags.has('HOST') ? formatInAddr(rt.dst) : formatShortNet(rt.dst, rt.prefixLen);
  const ifp = host.ifByIndex(rt.ifIndex);
  const mtu = ifp?.kind === 'loop' ? String(ifp.mtu) : '-';
  const gw = formatSockaddr(host, gatewaySockaddr(host, rt.gateway));
  return { sortKey: rt.dst, text: row(dst, gw, flagLetters(rt.flags), mtu, ifp?.name ?? '?') };
}

/** Valid llentries appear as UHL host routes (S when static, p when published). */
function lleRows(host: Host): Row[] {
  const rows: Row[] = [];
  for (const ifp of host.ifnets) {
    for (const ln of ifp.arp.entries) {
      if (ln.lladdr === undefined || ln.state === 'incomplete' || ln.state === 'waitdelete') continue;
      const flags: RtFlag[] = ['UP', 'HOST', 'LLINFO'];
      if (ln.isStatic) flags.push('STATIC');
      if (ln.published) flags.push('ANNOUNCE');
      rows.push({
        sortKey: ln.l3,
        text: row(formatInAddr(ln.l3), ln.lladdr, flagLetters(flags), '-', ifp.name),
      });
    }
  }
  return rows;
}

function inetTable(host: Host): string[] {
  const rows = [...host.rt4.entries.map((rt) => routeRow4(host, rt)), ...lleRows(host)];
  rows.sort((a, b) => a.sortKey - b.sortKey);
  return ['Internet:', HEADER, ...rows.map((r) => r.text)];
}

function inet6Table(host: Host): string[] {
  return ['Internet6:', HEADER, ...inet6Rows(host, flagLetters)];
}

function interfaces(host: Host): string[] {
  const out = ['Name  Mtu   Network       Address              Ipkts Ierrs    Opkts Oerrs Colls'];
  for (const ifp of host.ifnets) {
    const c = ifp.counters;
    out.push(
      `${ifp.name.padEnd(5)} ${String(ifp.mtu).padEnd(5)} <Link>        ${''.padEnd(20)} ${c.ipackets} ${c.ierrors} ${c.opackets} ${c.oerrors} 0`,
    );
  }
  return out;
}

/** netstat(1): -r (routing tables, -f inet|inet6), -i (interfaces). */
export function netstat(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const args = splitShortOptions(argv, 'f');
  const family = args.includes('-f') ? args[args.indexOf('-f') + 1] : undefined;
  if (args.includes('-i')) return success(lines(interfaces(ctx.host)));
  const out = ['Routing tables', ''];
  if (family === undefined || family === 'inet') out.push(...inetTable(ctx.host));
  if ((family === undefined && ctx.host.inet6) || family === 'inet6') {
    if (family === undefined) out.push('');
    out.push(...inet6Table(ctx.host));
  }
  return success(lines(out));
}
