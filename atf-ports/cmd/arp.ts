import { NS_PER_SECOND } from '../../model/brand.ts';
import type { ArpEntry } from '../../model/net/arp.ts';
import type { Host } from '../../model/net/host.ts';
import type { Ifnet } from '../../model/net/ifnet.ts';
import { formatInAddr, type InAddr, inSubnet, parseInAddr } from '../../model/net/inet.ts';
import { ARP_TEMP_SECONDS } from '../../model/net/knobs.ts';
import { parseMac } from '../../model/net/mac.ts';
import { ND_STATE_LETTER } from '../../model/net/nd.ts';
import { sec2str } from './format.ts';
import { type CmdContext, type CmdResult, failure, lines, splitShortOptions, success } from './types.ts';

/** `? (10.0.1.2) at b2:a0:.. on shmif0 29s R` (arp.c print_entry). */
function entryLine(host: Host, ifp: Ifnet, ln: ArpEntry): string {
  const at = ln.lladdr === undefined || ln.state === 'incomplete' ? '(incomplete)' : ln.lladdr;
  let line = `? (${formatInAddr(ln.l3)}) at ${at} on ${ifp.name}`;
  if (ln.isStatic) line += ' permanent';
  else if (ln.expireNs !== undefined) {
    const left = Math.max(0, Math.ceil((ln.expireNs - host.world.nowNs) / NS_PER_SECOND));
    line += ` ${sec2str(left)}`;
  }
  if (ln.published) line += ' published (proxy only)';
  if (!ln.isStatic) line += ` ${ND_STATE_LETTER[ln.state]}`;
  return line;
}

function allEntries(host: Host): { ifp: Ifnet; ln: ArpEntry }[] {
  const out: { ifp: Ifnet; ln: ArpEntry }[] = [];
  for (const ifp of host.ifnets) for (const ln of ifp.arp.entries) out.push({ ifp, ln });
  return out;
}

/** The interface an `arp -s` entry goes on: the one whose subnet holds the address. */
function interfaceFor(host: Host, addr: InAddr): Ifnet | undefined {
  for (const ifp of host.ifnets) {
    if (ifp.kind !== 'loop' && ifp.inAddrs.some((a) => inSubnet(addr, a.addr, a.prefixLen))) return ifp;
  }
  const rt = host.rt4.lookup(addr);
  return rt === undefined ? undefined : host.ifByIndex(rt.ifIndex);
}

function setEntry(host: Host, args: readonly string[]): CmdResult {
  const [ipText = '', macText = '', ...opts] = args;
  const addr = parseInAddr(ipText);
  const mac = parseMac(macText);
  if (addr === undefined || mac === undefined) return failure(`arp: ${ipText}: bad address\n`);
  const ifp = interfaceFor(host, addr);
  if (ifp === undefined) return failure(`arp: cannot intuit interface index and type for ${ipText}\n`);
  const existing = ifp.arp.lookup(addr);
  // lla_rt_output: a permanent entry is never overwritten; dynamic and temp ones are.
  if (existing?.isStatic) return failure('arp: writing to routing socket: File exists\n');
  const temp = opts.includes('temp');
  ifp.arp.setManual(addr, mac, {
    isStatic: !temp,
    published: opts.includes('pub'),
    ...(temp ? { expireSeconds: ARP_TEMP_SECONDS } : {}),
  });
  return success();
}

function deleteEntry(host: Host, ipText: string): CmdResult {
  const addr = parseInAddr(ipText);
  if (addr === undefined) return failure(`arp: ${ipText}: bad address\n`);
  const found = allEntries(host).filter((e) => e.ln.l3 === addr);
  if (found.length === 0) return failure(`arp: ${ipText}: no entry\n`);
  for (const { ifp, ln } of found) ifp.arp.free(ln);
  return success();
}

/** arp(8): -n, -a, -s (temp, pub, proxy), -d, -d -a, -f. */
export function arp(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const host = ctx.host;
  const args = splitShortOptions(argv, '').filter((a) => a !== '-n');
  const all = args.includes('-a');
  const rest = args.filter((a) => !a.startsWith('-'));
  if (args[0] === '-s') return setEntry(host, rest);
  if (args[0] === '-f') {
    const text = ctx.files.get(rest[0] ?? '') ?? '';
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      const r = setEntry(host, line.trim().split(/\s+/));
      if (r.status !== 0) return r;
    }
    return success();
  }
  if (args.includes('-d')) {
    if (!all) return deleteEntry(host, rest[0] ?? '');
    for (const { ifp, ln } of allEntries(host)) ifp.arp.free(ln);
    return success();
  }
  if (all) return success(lines(allEntries(host).map(({ ifp, ln }) => entryLine(host, ifp, ln))));
  const addr = parseInAddr(rest[0] ?? '');
  const found = addr === undefined ? [] : allEntries(host).filter((e) => e.ln.l3 === addr);
  if (found.length === 0) return failure(`arp: ${rest[0]} (${rest[0]}) -- no entry\n`);
  return success(lines(found.map(({ ifp, ln }) => entryLine(host, ifp, ln))));
}
