import { NS_PER_SECOND } from '../../model/brand.ts';
import { bootHost } from '../../model/net/boot.ts';
import type { Host } from '../../model/net/host.ts';
import { parseInAddr } from '../../model/net/inet.ts';
import { NetWorld } from '../../model/net/world.ts';
import { runCommand } from '../cmd/dispatch.ts';
import { formatRtMsg } from '../cmd/route.ts';
import { tcpdumpLine } from '../cmd/tcpdump.ts';
import type { CmdResult } from '../cmd/types.ts';
import { atfCheck, type CheckSpec } from './atf.ts';
import { noteCaseTime } from './case-time.ts';

/** net_common.sh's ONEDAYISH: the expiry column of an entry waiting for the 1-day GC. */
export const ONEDAYISH = '(23h5[0-9]m|1d0h0m)[0-9]+s ?';

/** Escapes dots as check_route's sed does, so a target matches literally. */
const literal = (s: string): string => s.replace(/\./g, '\\.');

/** A `route -n monitor -c N` running in the background (started with `&`, read after `wait`). */
export interface MonitorJob {
  wait(maxSeconds?: number): string;
}

/**
 * One ATF case's environment: the rump servers (hosts by socket name), the buses, files in
 * the case directory, and the virtual clock. Mirrors tests/net/net_common.sh.
 */
export class AtfEnv {
  readonly world: NetWorld;
  readonly hosts = new Map<string, Host>();
  readonly files = new Map<string, string>();
  readonly #ifaces: { sock: string; ifname: string }[] = [];
  readonly #busCursor = new Map<string, number>();
  /** Seconds the original case sleeps explicitly (`sleep N`). */
  sleptSeconds = 0;

  constructor(seed = 1) {
    this.world = new NetWorld(seed);
    const startNs = this.world.nowNs;
    noteCaseTime(() => ({
      sleptSeconds: this.sleptSeconds,
      virtualSeconds: (this.world.nowNs - startNs) / NS_PER_SECOND,
    }));
  }

  /** rump_server_start SOCK [libs...]. */
  rumpServerStart(sock: string, ...libs: string[]): Host {
    const host = bootHost(this.world, sock, { libs });
    this.hosts.set(sock, host);
    return host;
  }

  host(sock: string): Host {
    const host = this.hosts.get(sock);
    if (host === undefined) throw new Error(`no rump server ${sock}`);
    return host;
  }

  /** Runs a command on a server (RUMP_SERVER=sock) and returns its result unchecked. */
  run(sock: string, commandLine: string): CmdResult {
    return runCommand({ host: this.host(sock), world: this.world, files: this.files }, commandLine);
  }

  /** atf_check on a command run on a server. */
  check(sock: string, commandLine: string, spec: CheckSpec = {}): CmdResult {
    return atfCheck(`[${sock}] ${commandLine}`, this.run(sock, commandLine), spec);
  }

  /** rump_server_add_iface SOCK IFNAME [BUS]. */
  rumpServerAddIface(sock: string, ifname: string, bus?: string): void {
    this.check(sock, `rump.ifconfig ${ifname} create`);
    if (bus !== undefined) this.check(sock, `rump.ifconfig ${ifname} linkstr ${bus}`);
    this.#ifaces.push({ sock, ifname });
  }

  /** `sleep N`: N seconds of virtual time. */
  sleep(seconds: number): void {
    this.sleptSeconds += seconds;
    this.world.runFor(seconds * NS_PER_SECOND);
  }

  /** extract_new_packets BUS: the tcpdump lines written to the bus since the last call. */
  extractNewPackets(bus: string): string {
    const capture = this.world.bus(bus).capture;
    const from = this.#busCursor.get(bus) ?? 0;
    this.#busCursor.set(bus, capture.length);
    return capture
      .slice(from)
      .map((c) => `${tcpdumpLine(c)}\n`)
      .join('');
  }

  /** check_route TARGET GW FLAGS IFNAME on `netstat -rn`. */
  checkRoute(sock: string, target: string, gw: string, flags: string, ifname: string): void {
    const g = gw === '' ? '.+' : literal(gw);
    const f = flags === '' ? '.+' : flags;
    const i = ifname === '' ? '.+' : ifname;
    this.check(sock, 'rump.netstat -rn', {
      o: { match: `^${literal(target)} +${g} +${f} +- +- +.+ +${i}` },
      e: 'ignore',
    });
  }

  checkRouteFlags(sock: string, target: string, flags: string): void {
    this.checkRoute(sock, target, '', flags, '');
  }

  checkRouteGw(sock: string, target: string, gw: string): void {
    this.checkRoute(sock, target, gw, '', '');
  }

  checkRouteNoEntry(sock: string, target: string): void {
    this.check(sock, 'rump.netstat -rn', { o: { notMatch: `^${literal(target)}` }, e: 'ignore' });
  }

  /** get_macaddr SOCK IF: the `address:` line of ifconfig. */
  getMacaddr(sock: string, ifname: string): string {
    const out = this.run(sock, `rump.ifconfig ${ifname}`).stdout;
    const line = out.split('\n').find((l) => l.includes('address'));
    return line?.trim().split(/\s+/)[1] ?? '';
  }

  /** `route -n monitor -c count` in the background. */
  routeMonitor(sock: string, count: number): MonitorJob {
    const host = this.host(sock);
    const got: string[] = [];
    let seen = 0;
    const stop = host.rtsock.listen((msg) => {
      if (seen >= count) return;
      seen++;
      got.push(...formatRtMsg(host, msg));
      if (seen >= count) stop();
    });
    return {
      wait: (maxSeconds = 60) => {
        this.world.runUntil(() => seen >= count, maxSeconds * NS_PER_SECOND);
        stop();
        return `${got.join('\n')}\n`;
      },
    };
  }

  /** start_httpd SOCK IP: a server answering GETs on port 80 (the helper then sleeps 3 s). */
  startHttpd(sock: string, ip: string): void {
    const addr = parseInAddr(ip);
    if (addr === undefined) throw new Error(`httpd on ${ip}: only IPv4 is modelled so far`);
    this.host(sock).streamListeners.push({ port: 80, addr, responseBytes: 0 });
    this.sleep(3);
  }

  /**
   * rump_server_destroy_ifaces: every server's state dumps must succeed, then each interface
   * added by rump_server_add_iface is destroyed. Also checks nothing of it remains.
   */
  rumpServerDestroyIfaces(): void {
    for (const sock of this.hosts.keys()) {
      for (const cmd of [
        'rump.ifconfig',
        'rump.netstat -nr',
        'rump.netstat -nai',
        'rump.arp -na',
        'rump.ndp -na',
      ]) {
        this.check(sock, cmd, { o: 'ignore' });
      }
    }
    for (const { sock, ifname } of this.#ifaces) {
      const host = this.host(sock);
      const ifp = host.ifByName(ifname);
      if (ifp !== undefined) {
        this.check(sock, `rump.ifconfig ${ifname} destroy`);
        const residue = [...host.rt4.entries, ...host.rt6.entries].filter(
          (rt) =>
            rt.ifIndex === ifp.index || (rt.gateway.kind === 'link' && rt.gateway.ifIndex === ifp.index),
        );
        if (residue.length > 0) throw new Error(`${sock}: routes of destroyed ${ifname} remain`);
      }
      this.check(sock, 'rump.ifconfig', { o: 'ignore' });
    }
  }
}
