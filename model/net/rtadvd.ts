import { assert, NS_PER_MS } from '../brand.ts';
import type { TimerHandle } from '../sim/timers.ts';
import type { Host } from './host.ts';
import { activeMac, type Ifnet } from './ifnet.ts';
import { IN6_ALLNODES, type In6Addr, in6NetOf } from './in6.ts';
import { in6IsReady } from './in6var.ts';
import { ip6Output, ip6Packet } from './ip6.ts';
import { ND6_HOP_LIMIT } from './knobs6.ts';
import type { Icmp6Message, RaPrefix } from './wire.ts';

/**
 * rtadvd(8), the router advertisement daemon, as the ATF cases run it on a router: periodic
 * RAs from the interface's link-local address to ff02::1, every random interval between
 * mininterval and maxinterval, carrying the router lifetime, the MTU option and the prefixes.
 */
export interface RtadvdConfig {
  /** mtu#N: the MTU option (0: none). */
  readonly mtu: number;
  readonly maxIntervalSeconds: number;
  readonly minIntervalSeconds: number;
  /** rltime#N; rtadvd's default is 3 x maxinterval. */
  readonly routerLifetimeSeconds: number;
  /** addr= / prefixlen# / vltime# / pltime#; undefined: the interface's own prefixes. */
  readonly prefix:
    | {
        readonly addr: In6Addr;
        readonly prefixLen: number;
        readonly vltimeSeconds: number;
        readonly pltimeSeconds: number;
      }
    | undefined;
}

/** rtadvd's defaults (rtadvd.h): DEF_MAXRTRADVINTERVAL and the prefix lifetimes. */
export const RTADVD_DEFAULTS = {
  maxIntervalSeconds: 600,
  vltimeSeconds: 2_592_000,
  pltimeSeconds: 604_800,
  prefixLen: 64,
} as const;

export class Rtadvd {
  readonly #host: Host;
  readonly #ifp: Ifnet;
  readonly #config: RtadvdConfig;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(host: Host, ifp: Ifnet, config: RtadvdConfig) {
    this.#host = host;
    this.#ifp = ifp;
    this.#config = config;
  }

  get running(): boolean {
    return this.#running;
  }

  /** The first advertisement goes out at once, then one per random interval. */
  start(): void {
    this.#running = true;
    this.#advertise(this.#config.routerLifetimeSeconds);
    this.#arm();
  }

  /** SIGKILL: no more advertisements. SIGTERM (`final`): one last one with router lifetime 0. */
  stop(final: boolean): void {
    if (!this.#running) return;
    this.#running = false;
    assert(this.#timer !== undefined, 'rtadvd: a running daemon has its next advertisement armed');
    this.#host.world.cancel(this.#timer);
    this.#timer = undefined;
    if (final) this.#advertise(0);
  }

  #arm(): void {
    const minMs = this.#config.minIntervalSeconds * 1000;
    const spanMs = Math.max(0, this.#config.maxIntervalSeconds * 1000 - minMs);
    const delayNs = (minMs + this.#host.world.random.below(spanMs + 1)) * NS_PER_MS;
    this.#timer = this.#host.world.after(delayNs, () => {
      this.#timer = undefined;
      if (!this.#running) return;
      this.#advertise(this.#config.routerLifetimeSeconds);
      this.#arm();
    });
  }

  #prefixes(): RaPrefix[] {
    const p = this.#config.prefix;
    if (p !== undefined) {
      return [
        {
          prefix: in6NetOf(p.addr, p.prefixLen),
          prefixLen: p.prefixLen,
          onLink: true,
          autonomous: true,
          vltimeSeconds: p.vltimeSeconds,
          pltimeSeconds: p.pltimeSeconds,
        },
      ];
    }
    return this.#ifp.in6Addrs
      .filter((a) => !a.linkLocal)
      .map((a) => ({
        prefix: in6NetOf(a.addr, a.prefixLen),
        prefixLen: a.prefixLen,
        onLink: true,
        autonomous: true,
        vltimeSeconds: RTADVD_DEFAULTS.vltimeSeconds,
        pltimeSeconds: RTADVD_DEFAULTS.pltimeSeconds,
      }));
  }

  #advertise(routerLifetimeSeconds: number): void {
    const src = this.#ifp.in6Addrs.find((a) => a.linkLocal && in6IsReady(a))?.addr;
    if (src === undefined || !this.#ifp.up) return;
    const icmp6: Icmp6Message = {
      type: 'ra',
      routerLifetimeSeconds,
      sllao: activeMac(this.#ifp),
      mtu: this.#config.mtu === 0 ? undefined : this.#config.mtu,
      prefixes: this.#prefixes(),
    };
    ip6Output(
      this.#host,
      ip6Packet(this.#host, src, IN6_ALLNODES, { proto: 'icmp6', icmp6 }, ND6_HOP_LIMIT),
      { zone: this.#ifp.index },
    );
  }
}
