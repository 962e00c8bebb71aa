import { parseIn6 } from '../../model/net/in6.ts';
import { stream6Listen } from '../../model/net/stream6.ts';
import { signalRtadvd } from '../cmd/rtadvd.ts';
import { tcpdumpLine } from '../cmd/tcpdump.ts';
import type { AtfEnv } from './net-common.ts';

/**
 * The IPv6 helpers of tests/net/net_common.sh and the bus dumps the IPv6 cases read, over an
 * AtfEnv: get_linklocal_addr, `shmif_dumpbus BUS | tcpdump -n -p icmp6`, and `rm BUS`.
 */

/** get_linklocal_addr SOCK IF: the fe80:: address of IF, without zone and prefix length. */
export function getLinklocalAddr(env: AtfEnv, sock: string, ifname: string): string {
  const out = env.run(sock, `rump.ifconfig ${ifname} inet6`).stdout;
  const line = out.split('\n').find((l) => l.includes('fe80'));
  const word = line?.trim().split(/\s+/)[1] ?? '';
  return word.replace(`%${ifname}`, '').replace(/\/[0-9]*$/, '');
}

const cursors = new WeakMap<AtfEnv, Map<string, number>>();

/** `rm BUS`: the bus file starts afresh; later dumps show only what is written after. */
export function rmBus(env: AtfEnv, bus: string): void {
  let map = cursors.get(env);
  if (map === undefined) {
    map = new Map();
    cursors.set(env, map);
  }
  map.set(bus, env.world.bus(bus).capture.length);
}

/** `shmif_dumpbus -p - BUS | tcpdump -r - -n -p icmp6`: the ICMPv6 frames in the bus file. */
export function dumpBusIcmp6(env: AtfEnv, bus: string): string {
  const from = cursors.get(env)?.get(bus) ?? 0;
  return env.world
    .bus(bus)
    .capture.slice(from)
    .filter((c) => c.frame.payload.kind === 'ipv6' && c.frame.payload.body.proto === 'icmp6')
    .map((c) => `${tcpdumpLine(c)}\n`)
    .join('');
}

/** grep's basic regular expressions: ( ) { } | + ? are literal characters there. */
export function breToJs(pattern: string): string {
  return pattern.replace(/[(){}|+?]/g, (c) => `\\${c}`);
}

/**
 * atf_check -o match/not-match on a text (`cat ./out`, ERE), or `grep -q` (BRE, `bre`), with
 * the text in the failure.
 */
export function expectMatch(text: string, pattern: string, want: boolean, what: string, bre = false): void {
  const re = new RegExp(bre ? breToJs(pattern) : pattern);
  const hit = text.split('\n').some((l) => re.test(l));
  if (hit !== want)
    throw new Error(`${what}: output ${want ? 'does not match' : 'matches'} /${pattern}/\n${text}`);
}

/** test_create_destroy_common SOCK IF [test_address]: create/destroy in every state. */
export function testCreateDestroyCommon(
  env: AtfEnv,
  sock: string,
  ifname: string,
  testAddress = false,
): void {
  const run = (...cmds: string[]): void => {
    for (const c of cmds) env.check(sock, `rump.ifconfig ${ifname} ${c}`);
  };
  run('create', 'destroy');
  run('create', 'up', 'down', 'destroy');
  // Destroy while UP.
  run('create', 'up', 'destroy');
  if (!testAddress) return;
  run('create', 'inet 10.0.0.1/24', 'up', 'destroy');
  run('create', 'inet6 fc00::1', 'up', 'destroy');
}

/** start_rtadvd SOCK PIDFILE: the daemon starts (exit 0) and its pidfile appears at once. */
export function startRtadvd(env: AtfEnv, sock: string, config: string, pidfile: string): void {
  env.check(sock, `rump.rtadvd -D -c ${config} -p ${pidfile} shmif0`, { e: 'ignore' });
  if (!env.files.has(pidfile)) throw new Error(`rtadvd did not write ${pidfile}`);
}

/** terminate_rtadvd (SIGTERM: a last advertisement with router lifetime 0) and kill_rtadvd. */
export function stopRtadvd(env: AtfEnv, pidfile: string, signal: 'TERM' | 'KILL'): void {
  signalRtadvd(env.world, env.files, pidfile, signal);
}

/** start_httpd SOCK IP for an IPv6 address: a server on port 80 (the helper then sleeps 3 s). */
export function startHttpd6(env: AtfEnv, sock: string, ip: string): void {
  const addr = parseIn6(ip);
  if (addr === undefined) throw new Error(`httpd on ${ip}: not an IPv6 address`);
  stream6Listen(env.host(sock), addr, 80, 0);
  env.sleep(3);
}
