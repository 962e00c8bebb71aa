import { errnoText } from '../../model/net/errno.ts';
import { gifDeleteTunnel, gifSetDstaddr4, gifSetTunnel, type TunnelEndpoint } from '../../model/net/gif.ts';
import type { Host } from '../../model/net/host.ts';
import type { Ifnet } from '../../model/net/ifnet.ts';
import { parseIn6 } from '../../model/net/in6.ts';
import { type InAddr, parseInAddr } from '../../model/net/inet.ts';
import { type CmdResult, failure } from './types.ts';

function endpoint(text: string): TunnelEndpoint | undefined {
  const v4 = parseInAddr(text);
  if (v4 !== undefined) return { family: 'inet', addr: v4 };
  const v6 = parseIn6(text);
  return v6 === undefined ? undefined : { family: 'inet6', addr: v6 };
}

/**
 * ifconfig's `tunnel SRC DST` (SIOCSLIFPHYADDR) and `deletetunnel` (SIOCDIFPHYADDR). Answers
 * the warning ifconfig prints when the kernel refuses (it warns and carries on).
 */
export function configureTunnel(
  host: Host,
  ifp: Ifnet,
  tunnel: readonly [string, string] | undefined,
): string {
  if (tunnel === undefined) {
    const r = gifDeleteTunnel(ifp);
    return r.ok ? '' : `ifconfig: SIOCDIFPHYADDR: ${errnoText[r.error]}\n`;
  }
  const src = endpoint(tunnel[0]);
  const dst = endpoint(tunnel[1]);
  if (src === undefined || dst === undefined) return `ifconfig: ${tunnel.join(' ')}: bad value\n`;
  const r = gifSetTunnel(host, ifp, src, dst);
  return r.ok ? '' : `ifconfig: SIOCSLIFPHYADDR: ${errnoText[r.error]}\n`;
}

/** `inet A B` on a point-to-point interface: B is the far end. */
export function pointToPoint4(host: Host, ifp: Ifnet, local: InAddr, dstText: string): CmdResult | undefined {
  const dst = parseInAddr(dstText);
  if (dst === undefined) return failure(`ifconfig: ${dstText}: bad value\n`);
  const r = gifSetDstaddr4(host, ifp, local, dst);
  return r.ok ? undefined : failure(`ifconfig: SIOCAIFADDR: ${errnoText[r.error]}\n`);
}
