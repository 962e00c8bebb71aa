import type { Ifnet, InIfaddr } from './ifnet.ts';
import { compareIn6, type In6Addr, in6NetOf } from './in6.ts';
import { type InAddr, inSubnet, netOf } from './inet.ts';
import { type NetSysctls, netSysctlDefaults } from './knobs.ts';
import { RouteTable } from './route.ts';
import { RoutingSocket } from './rtsock.ts';
import type { StreamListener as StreamListenerOf } from './stream-core.ts';
import type { IcmpMessage, Ipv4Packet } from './wire.ts';
import type { NetWorld } from './world.ts';

/** An ICMP message delivered to raw sockets (ping reads these). */
export interface IcmpDelivery {
  readonly from: InAddr;
  readonly to: InAddr;
  readonly ttl: number;
  readonly icmp: IcmpMessage;
}

/** Options of `rump_server_start`: which component libraries are linked in. */
export interface HostOptions {
  /** Extra component libraries (`netinet6`, `tap`, ...), as rump_server_start takes them. */
  readonly libs?: readonly string[];
}

/** A stream endpoint listening on a port (the model's httpd). */
export type StreamListener = StreamListenerOf<InAddr>;

/**
 * One rump kernel: sysctl settings, interfaces (lo0 first, index 1), the IPv4 and IPv6
 * routing tables, a routing socket, and raw ICMP listeners. Protocol code lives in the
 * sibling modules (arp.ts, ip.ts, in.ts, ...) as functions over a Host.
 */
export class Host {
  readonly name: string;
  readonly world: NetWorld;
  readonly inet6: boolean;
  readonly libs: readonly string[];
  readonly sysctl: NetSysctls = netSysctlDefaults();
  readonly ifnets: Ifnet[] = [];
  readonly rt4 = new RouteTable<InAddr>({
    bits: 32,
    netKey: (a, len) => String(netOf(a, len)),
    compare: (a, b) => a - b,
  });
  readonly rt6 = new RouteTable<In6Addr>({
    bits: 128,
    netKey: (a, len) => in6NetOf(a, len),
    compare: compareIn6,
  });
  readonly rtsock = new RoutingSocket();
  readonly icmpListeners = new Set<(d: IcmpDelivery) => void>();
  readonly streamListeners: StreamListener[] = [];
  readonly streamClients = new Map<number, (pkt: Ipv4Packet) => void>();
  /** The kernel message buffer (dmesg). */
  readonly dmesg: string[] = [];
  #nextIfIndex = 1;
  #nextIpId = 1;

  constructor(world: NetWorld, name: string, options: HostOptions = {}) {
    this.world = world;
    this.name = name;
    this.libs = options.libs ?? [];
    // -lrumpnet_netinet6 brings IPv6 addresses on lo0 and configured interfaces.
    this.inet6 = this.libs.includes('netinet6');
  }

  log(line: string): void {
    this.dmesg.push(line);
  }

  allocIfIndex(): number {
    return this.#nextIfIndex++;
  }

  nextIpId(): number {
    const id = this.#nextIpId;
    this.#nextIpId = (this.#nextIpId + 1) & 0xffff;
    return id;
  }

  ifByName(name: string): Ifnet | undefined {
    return this.ifnets.find((i) => i.name === name);
  }

  ifByIndex(index: number): Ifnet | undefined {
    return this.ifnets.find((i) => i.index === index);
  }

  get lo0(): Ifnet {
    const lo = this.ifnets[0];
    if (lo === undefined || lo.kind !== 'loop')
      throw new Error('model invariant: lo0 is the first interface');
    return lo;
  }

  /** ifa_ifwithaddr: the interface address equal to addr, on any interface. */
  ownAddr(addr: InAddr): { ifp: Ifnet; ia: InIfaddr } | undefined {
    for (const ifp of this.ifnets) {
      const ia = ifp.inAddrs.find((a) => a.addr === addr);
      if (ia !== undefined) return { ifp, ia };
    }
    return undefined;
  }

  /** ifa_ifwithnet: the first interface address whose subnet holds addr. */
  addrWithNet(addr: InAddr): { ifp: Ifnet; ia: InIfaddr } | undefined {
    for (const ifp of this.ifnets) {
      if (ifp.kind === 'loop') continue;
      const ia = ifp.inAddrs.find((a) => inSubnet(addr, a.addr, a.prefixLen));
      if (ia !== undefined) return { ifp, ia };
    }
    return undefined;
  }

  /** Is addr a broadcast address of an interface (in_broadcast)? */
  isBroadcastOn(ifp: Ifnet, addr: InAddr): boolean {
    if (addr === 0xffffffff) return true;
    return ifp.inAddrs.some((a) => a.broadcast === addr && a.prefixLen < 31);
  }
}
