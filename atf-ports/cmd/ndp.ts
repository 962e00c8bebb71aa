import { NS_PER_SECOND } from '../../model/brand.ts';
import type { Host } from '../../model/net/host.ts';
import type { Ifnet } from '../../model/net/ifnet.ts';
import { type In6Addr, in6InPrefix, isLinkScope6 } from '../../model/net/in6.ts';
import { parseMac } from '../../model/net/mac.ts';
import { ND_STATE_LETTER } from '../../model/net/nd.ts';
import { type Nd6Entry, nd6IsRouter, nd6Of } from '../../model/net/nd6.ts';
import { sec2str } from './format.ts';
import { ndpRouterLists } from './ndp-rtr.ts';
import { parseScoped6 } from './scope6.ts';
import { type CmdContext, type CmdResult, failure, lines, splitShortOptions, success } from './types.ts';

/** ndp.c: a `temp` entry expires after 20 minutes. */
const NDP_TEMP_SECONDS = 20 * 60;
const HEADER = `${'Neighbor'.padEnd(36)} ${'Linklayer Address'.padEnd(17)} ${'Netif'.padStart(6)} ${'Expire'.padEnd(9)} S Flags`;

interface Found {
  readonly ifp: Ifnet;
  readonly ln: Nd6Entry;
}

function allEntries(host: Host): Found[] {
  const out: Found[] = [];
  for (const ifp of host.ifnets) for (const ln of nd6Of(host, ifp).table.entries) out.push({ ifp, ln });
  return out;
}

/** One line of ndp -n (ndp.c dump): address, link address, interface, expiry, state, flags. */
function entryLine(host: Host, { ifp, ln }: Found): string {
  const addr = isLinkScope6(ln.l3) ? `${ln.l3}%${ifp.name}` : ln.l3;
  const lladdr = ln.lladdr === undefined || ln.state === 'incomplete' ? '(incomplete)' : ln.lladdr;
  let expire: string;
  if (ln.isStatic || ln.expireNs === undefined) expire = 'permanent';
  else {
    const left = Math.ceil((ln.expireNs - host.world.nowNs) / NS_PER_SECOND);
    expire = left > 0 ? sec2str(left) : 'expired';
  }
  const flags = nd6IsRouter(ln) ? 'R' : '';
  return `${addr.padEnd(36)} ${lladdr.padEnd(17)} ${ifp.name.padStart(6)} ${expire.padEnd(9)} ${ND_STATE_LETTER[ln.state]} ${flags}`.trimEnd();
}

/** The entries for `addr[%zone]`: a link-scoped address without a zone matches nothing. */
function matching(host: Host, text: string): Found[] | undefined {
  const s = parseScoped6(host, text);
  if (s === undefined) return undefined;
  if (isLinkScope6(s.addr) && s.zone === 0) return [];
  return allEntries(host).filter((e) => e.ln.l3 === s.addr && (s.zone === 0 || e.ifp.index === s.zone));
}

/** The interface a static entry goes on: the link of its zone, or the one whose prefix holds it. */
function interfaceFor(host: Host, addr: In6Addr, zone: number): Ifnet | undefined {
  if (zone !== 0) return host.ifByIndex(zone);
  return host.ifnets.find(
    (ifp) =>
      ifp.kind !== 'loop' && ifp.in6Addrs.some((a) => !a.linkLocal && in6InPrefix(addr, a.addr, a.prefixLen)),
  );
}

function setEntry(host: Host, args: readonly string[]): CmdResult {
  const [addrText = '', macText = '', ...opts] = args;
  const s = parseScoped6(host, addrText);
  const mac = parseMac(macText);
  if (s === undefined || mac === undefined) return failure(`ndp: ${addrText}: bad address\n`);
  const ifp = interfaceFor(host, s.addr, s.zone);
  if (ifp === undefined) return failure('ndp: RTM_GET(/64) returned; cannot intuit interface index\n');
  const table = nd6Of(host, ifp).table;
  // A permanent entry is never overwritten; dynamic and temporary ones are (nd6_rtrequest).
  if (table.lookup(s.addr)?.isStatic) return failure('ndp: writing to routing socket: File exists\n');
  const temp = opts.includes('temp');
  table.setManual(s.addr, mac, {
    isStatic: !temp,
    published: false,
    ...(temp ? { expireSeconds: NDP_TEMP_SECONDS } : {}),
  });
  return success();
}

function deleteEntry(host: Host, text: string): CmdResult {
  const found = matching(host, text);
  if (found === undefined || found.length === 0) return failure(`ndp: ${text}: no entry\n`);
  for (const { ifp, ln } of found) nd6Of(host, ifp).table.free(ln);
  return success(lines([`${text} (${text}) deleted`]));
}

/** ndp(8): -n, -a, -s [temp], -d, -c; the router lists: -r, -p, -R, -P, -i IF. */
export function ndp(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const host = ctx.host;
  const args = splitShortOptions(argv, '').filter((a) => a !== '-n');
  const rest = args.filter((a) => !a.startsWith('-'));
  const routerView = ndpRouterLists(host, args, rest);
  if (routerView !== undefined) return routerView;
  if (args[0] === '-s') return setEntry(host, rest);
  if (args.includes('-d')) return deleteEntry(host, rest[0] ?? '');
  if (args.includes('-c')) {
    // Flush every dynamic entry; static ones stay.
    const out: string[] = [];
    for (const e of allEntries(host)) {
      if (e.ln.isStatic) continue;
      out.push(`${e.ln.l3} (${e.ln.l3}) deleted`);
      nd6Of(host, e.ifp).table.free(e.ln);
    }
    return success(lines(out));
  }
  if (args.includes('-a'))
    return success(lines([HEADER, ...allEntries(host).map((e) => entryLine(host, e))]));
  const text = rest[0] ?? '';
  const found = matching(host, text);
  if (found === undefined || found.length === 0) return failure(`${text} (${text}) -- no entry\n`);
  return success(lines([HEADER, ...found.map((e) => entryLine(host, e))]));
}
