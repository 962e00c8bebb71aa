import { NS_PER_SECOND } from '../../model/brand.ts';
import type { Host } from '../../model/net/host.ts';
import { inet6Of } from '../../model/net/in6var.ts';
import { nd6Of } from '../../model/net/nd6.ts';
import { nd6FlushPrefixes, nd6FlushRouters, nd6PrefixExpireSeconds } from '../../model/net/nd6rtr.ts';
import { sec2str } from './format.ts';
import { type CmdResult, failure, lines, success } from './types.ts';

/** ndp -r: the default router list (ndp.c rtrlist). */
function rtrlist(host: Host): string[] {
  return inet6Of(host).defrouters.map((dr) => {
    const ifname = host.ifByIndex(dr.ifIndex)?.name ?? '?';
    const left = Math.max(0, Math.ceil((dr.expireNs - host.world.nowNs) / NS_PER_SECOND));
    return `${dr.addr}%${ifname} if=${ifname}, flags=, pref=medium, expire=${sec2str(left)}`;
  });
}

/** ndp -p: the prefix list with the advertising routers and their reachability (ndp.c plist). */
function plist(host: Host): string[] {
  const out: string[] = [];
  for (const pr of inet6Of(host).prefixes) {
    const ifp = host.ifByIndex(pr.ifIndex);
    const ifname = ifp?.name ?? '?';
    out.push(`${pr.prefix}/${pr.prefixLen} if=${ifname}`);
    const flags = `${pr.onLink ? 'L' : ''}${pr.autonomous ? 'A' : ''}${pr.onLink ? 'O' : ''}`;
    out.push(
      `flags=${flags} vltime=${pr.vltimeSeconds}, pltime=${pr.pltimeSeconds}, expire=${sec2str(nd6PrefixExpireSeconds(host, pr))}, ref=0`,
    );
    if (pr.advertisers.length === 0) {
      out.push('  No advertising router');
      continue;
    }
    out.push('  advertised by');
    for (const rtr of pr.advertisers) {
      const ln = ifp === undefined ? undefined : nd6Of(host, ifp).table.lookup(rtr);
      const reach =
        ln === undefined
          ? 'no neighbor state'
          : ['reachable', 'stale', 'delay', 'probe'].includes(ln.state)
            ? 'reachable'
            : 'unreachable';
      out.push(`    ${rtr}%${ifname} (${reach})`);
    }
  }
  return out;
}

/** ndp -i IF: the interface's ND parameters (nd_ifinfo). */
function ifinfo(host: Host, ifname: string): CmdResult {
  const ifp = host.ifByName(ifname);
  if (ifp === undefined) return failure(`ndp: ${ifname}: invalid interface\n`);
  const info = nd6Of(host, ifp);
  const linkmtu = inet6Of(host).linkmtu.get(ifp.index) ?? 0;
  const reachableS = Math.floor(info.reachableMs / 1000);
  return success(
    lines([
      `linkmtu=${linkmtu}, maxmtu=${ifp.mtu}, curhlim=${host.sysctl['net.inet6.ip6.hlim']}, basereachable=30s0ms, reachable=${reachableS}s, retrans=1s0ms`,
      `Flags: ${host.sysctl['net.inet6.ip6.auto_linklocal'] === 1 ? 'auto_linklocal' : ''}`.trimEnd(),
    ]),
  );
}

/** The router-list views of ndp(8); undefined when argv asks for none of them. */
export function ndpRouterLists(
  host: Host,
  args: readonly string[],
  rest: readonly string[],
): CmdResult | undefined {
  if (args.includes('-r')) return success(lines(rtrlist(host)));
  if (args.includes('-p')) return success(lines(plist(host)));
  if (args.includes('-R')) {
    nd6FlushRouters(host);
    return success();
  }
  if (args.includes('-P')) {
    nd6FlushPrefixes(host);
    return success();
  }
  if (args.includes('-i')) return ifinfo(host, rest[0] ?? '');
  return undefined;
}
