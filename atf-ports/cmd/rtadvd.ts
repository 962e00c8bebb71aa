import { parseIn6 } from '../../model/net/in6.ts';
import { RTADVD_DEFAULTS, Rtadvd, type RtadvdConfig } from '../../model/net/rtadvd.ts';
import type { NetWorld } from '../../model/net/world.ts';
import { err, ok, type Result } from '../../model/result.ts';
import { type CmdContext, type CmdResult, failure, success } from './types.ts';

/** The daemons started in a world, by the pid their pidfile holds. */
const daemons = new WeakMap<NetWorld, Map<string, Rtadvd>>();
let nextPid = 1000;

function registry(world: NetWorld): Map<string, Rtadvd> {
  let map = daemons.get(world);
  if (map === undefined) {
    map = new Map();
    daemons.set(world, map);
  }
  return map;
}

/**
 * rtadvd.conf(5) for one interface, termcap style: `mtu#1300:maxinterval#4:mininterval#3:`,
 * `rltime#N`, `addr="fc00:1::"`, `prefixlen#N`, `vltime#N`, `pltime#N`.
 */
export function parseRtadvdConf(text: string): Result<RtadvdConfig, string> {
  const num = new Map<string, number>();
  for (const m of text.matchAll(/(\w+)#(\d+)/g)) num.set(m[1] as string, Number(m[2]));
  const str = new Map<string, string>();
  for (const m of text.matchAll(/(\w+)="([^"]*)"/g)) str.set(m[1] as string, m[2] as string);
  const max = num.get('maxinterval') ?? RTADVD_DEFAULTS.maxIntervalSeconds;
  const addrText = str.get('addr');
  let prefix: RtadvdConfig['prefix'];
  if (addrText !== undefined) {
    const addr = parseIn6(addrText);
    if (addr === undefined) return err(`rtadvd: inet_pton failed for ${addrText}`);
    const vltime = num.get('vltime') ?? RTADVD_DEFAULTS.vltimeSeconds;
    // The kernel refuses a prefix whose preferred lifetime exceeds its valid one
    // (in6_init_prefix_ltimes); an unset pltime is advertised no longer than vltime.
    const pltime = num.get('pltime') ?? Math.min(RTADVD_DEFAULTS.pltimeSeconds, vltime);
    prefix = {
      addr,
      prefixLen: num.get('prefixlen') ?? RTADVD_DEFAULTS.prefixLen,
      vltimeSeconds: vltime,
      pltimeSeconds: pltime,
    };
  }
  return ok({
    mtu: num.get('mtu') ?? 0,
    maxIntervalSeconds: max,
    minIntervalSeconds: num.get('mininterval') ?? max * 0.33,
    routerLifetimeSeconds: num.get('rltime') ?? 3 * max,
    prefix,
  });
}

/** `rump.rtadvd -D -c CONF -p PIDFILE IF`: starts the daemon and writes its pidfile. */
export function rtadvd(ctx: CmdContext, argv: readonly string[]): CmdResult {
  let conf: string | undefined;
  let pidfile = '/var/run/rtadvd.pid';
  let ifname: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-c') conf = argv[++i];
    else if (a === '-p') pidfile = argv[++i] ?? pidfile;
    else if (!a.startsWith('-')) ifname = a;
  }
  const ifp = ifname === undefined ? undefined : ctx.host.ifByName(ifname);
  if (ifp === undefined) return failure(`rtadvd: ${ifname}: no such interface\n`);
  const text = conf === undefined ? '' : ctx.files.get(conf);
  if (text === undefined) return failure(`rtadvd: ${conf}: No such file or directory\n`);
  const config = parseRtadvdConf(text);
  if (!config.ok) return failure(`${config.error}\n`);
  const daemon = new Rtadvd(ctx.host, ifp, config.value);
  daemon.start();
  const pid = String(nextPid++);
  registry(ctx.world).set(pid, daemon);
  ctx.files.set(pidfile, `${pid}\n`);
  return success();
}

/** kill -KILL / kill -TERM `cat pidfile`, then the pidfile goes. */
export function signalRtadvd(
  world: NetWorld,
  files: Map<string, string>,
  pidfile: string,
  signal: 'KILL' | 'TERM',
): void {
  const pid = files.get(pidfile)?.trim();
  if (pid === undefined) return;
  registry(world)
    .get(pid)
    ?.stop(signal === 'TERM');
  registry(world).delete(pid);
  files.delete(pidfile);
}
