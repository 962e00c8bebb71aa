import type { Host } from '../../model/net/host.ts';
import { compareIn6, type In6Addr, in6Embed } from '../../model/net/in6.ts';
import { nd6Of } from '../../model/net/nd6.ts';
import type { RtEntry, RtFlag } from '../../model/net/route.ts';
import { formatIn6Scoped, gateway6Sockaddr } from '../../model/net/rt6ops.ts';
import { formatSockaddr } from './format.ts';

/** netstat -rn's columns (as the inet table prints them). */
function row(dst: string, gw: string, flags: string, mtu: string, ifname: string): string {
  return `${dst.padEnd(18)} ${gw.padEnd(18)} ${flags.padEnd(6)} ${'-'.padStart(6)} ${'-'.padStart(8)} ${mtu.padStart(6)}  ${ifname}`;
}

interface Row6 {
  readonly key: In6Addr;
  readonly text: string;
}

/** `fe80::%shmif0/64`, `fc00::/64`, `default`, or a host as `fe80::1%shmif0`. */
function destination(host: Host, rt: RtEntry<In6Addr>): string {
  if (rt.prefixLen === 0) return 'default';
  const text = formatIn6Scoped(host, rt.dst);
  return rt.flags.has('HOST') ? text : `${text}/${rt.prefixLen}`;
}

/**
 * The Internet6 rows of netstat -rn: routes (link-scoped ones with their zone), then the valid
 * neighbour entries as UHL host routes (S when static), in address order.
 */
export function inet6Rows(host: Host, flagLetters: (flags: Iterable<RtFlag>) => string): string[] {
  const rows: Row6[] = host.rt6.entries.map((rt) => {
    const ifp = host.ifByIndex(rt.ifIndex);
    const gw = formatSockaddr(
      host,
      gateway6Sockaddr(
        host,
        rt.gateway.kind === 'link' ? { kind: 'link', ifIndex: rt.gateway.ifIndex } : rt.gateway,
      ),
    );
    const mtu = ifp?.kind === 'loop' ? String(ifp.mtu) : '-';
    return {
      key: rt.dst,
      text: row(destination(host, rt), gw, flagLetters(rt.flags), mtu, ifp?.name ?? '?'),
    };
  });
  for (const ifp of host.ifnets) {
    for (const ln of nd6Of(host, ifp).table.entries) {
      if (
        ln.lladdr === undefined ||
        ln.state === 'incomplete' ||
        ln.state === 'waitdelete' ||
        ln.state === 'nostate'
      )
        continue;
      const flags: RtFlag[] = ['UP', 'HOST', 'LLINFO'];
      if (ln.isStatic) flags.push('STATIC');
      const key = in6Embed(ln.l3, ifp.index);
      rows.push({ key, text: row(formatIn6Scoped(host, key), ln.lladdr, flagLetters(flags), '-', ifp.name) });
    }
  }
  rows.sort((a, b) => compareIn6(a.key, b.key));
  return rows.map((r) => r.text);
}
