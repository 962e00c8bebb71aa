import type { Host } from '../../model/net/host.ts';
import { formatInAddr } from '../../model/net/inet.ts';
import type { RtSockaddr } from '../../model/net/rtsock.ts';

/** `link#2` for an address-less link sockaddr, the MAC when it has one (route(8), netstat). */
export function formatSockaddr(host: Host, sa: RtSockaddr): string {
  switch (sa.kind) {
    case 'inet':
      return formatInAddr(sa.addr);
    case 'inet6':
      return sa.text;
    case 'link': {
      if (sa.mac !== undefined) return sa.mac;
      const ifp = host.ifByIndex(sa.ifIndex);
      return ifp?.kind === 'loop' ? ifp.name : `link#${sa.ifIndex}`;
    }
    default:
      return assertNeverSockaddr(sa);
  }
}

function assertNeverSockaddr(value: never): never {
  throw new Error(`unhandled sockaddr: ${JSON.stringify(value)}`);
}

/** sec2str of arp(8)/ndp(8): `23h59m58s`, `1d0h0m0s`, `29s`. */
export function sec2str(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor(totalSeconds / 3_600) % 24;
  const mins = Math.floor(totalSeconds / 60) % 60;
  const secs = totalSeconds % 60;
  let out = '';
  let first = true;
  if (days > 0) {
    out += `${days}d`;
    first = false;
  }
  if (!first || hours > 0) {
    out += `${hours}h`;
    first = false;
  }
  if (!first || mins > 0) out += `${mins}m`;
  return `${out}${secs}s`;
}

/** Resolves the few names the cases use (`localhost`). */
export function resolveHostName(name: string): string {
  return name === 'localhost' ? '127.0.0.1' : name;
}
