import { type Errno, errnoText } from '../../model/net/errno.ts';
import type { Host } from '../../model/net/host.ts';
import type { Ifnet } from '../../model/net/ifnet.ts';
import { formatInAddr, type InAddr, maskOf, parseInAddr, routeNetPrefixLen } from '../../model/net/inet.ts';
import { type RtFlag, type RtGateway, sortFlags } from '../../model/net/route.ts';
import { gatewaySockaddr, rtAdd, rtChange, rtDelete } from '../../model/net/rtops.ts';
import { RTA_NAMES, type RtMsg } from '../../model/net/rtsock.ts';
import { err, ok, type Result } from '../../model/result.ts';
import { formatSockaddr } from './format.ts';
import { route6 } from './route6.ts';
import { type CmdContext, type CmdResult, failure, lines, success } from './types.ts';

interface Parsed {
  net: boolean | undefined;
  dst: string | undefined;
  gateway: string | undefined;
  flags: RtFlag[];
  iface: boolean;
  link: boolean;
  ifa: string | undefined;
  ifp: string | undefined;
}

const FLAG_OPTIONS: Record<string, RtFlag> = {
  '-blackhole': 'BLACKHOLE',
  '-reject': 'REJECT',
  '-proxy': 'ANNOUNCE',
  '-static': 'STATIC',
};

function parse(args: readonly string[]): Parsed {
  const p: Parsed = {
    net: undefined,
    dst: undefined,
    gateway: undefined,
    flags: [],
    iface: false,
    link: false,
    ifa: undefined,
    ifp: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const flag = FLAG_OPTIONS[a];
    if (flag !== undefined) p.flags.push(flag);
    else if (a === '-net') p.net = true;
    else if (a === '-host') p.net = false;
    else if (a === '-iface' || a === '-interface') p.iface = true;
    else if (a === '-link') p.link = true;
    else if (a === '-ifa') p.ifa = args[++i];
    else if (a === '-ifp') p.ifp = args[++i];
    else if (a === '-cloning' || a === '-inet' || a === '-n') continue;
    else if (p.dst === undefined) p.dst = a;
    else if (p.gateway === undefined) p.gateway = a;
  }
  return p;
}

/** Destination and prefix as route(8) reads them (host unless -net; classful guess for -net). */
function destination(p: Parsed): { dst: InAddr; prefixLen: number; isHost: boolean } | undefined {
  if (p.dst === 'default') return { dst: 0 as InAddr, prefixLen: 0, isHost: false };
  const [text = '', lenText] = (p.dst ?? '').split('/');
  const dst = parseInAddr(text);
  if (dst === undefined) return undefined;
  if (p.net === false || (p.net === undefined && lenText === undefined))
    return { dst, prefixLen: 32, isHost: true };
  const prefixLen = lenText === undefined ? routeNetPrefixLen(dst) : Number(lenText);
  return { dst: (dst & maskOf(prefixLen)) as InAddr, prefixLen, isHost: false };
}

function describe(d: { dst: InAddr; prefixLen: number; isHost: boolean }, dstText: string): string {
  if (d.prefixLen === 0) return 'net default';
  return `${d.isHost ? 'host' : 'net'} ${dstText.split('/')[0]}`;
}

function gatewayOf(host: Host, p: Parsed): Result<{ gw: RtGateway<InAddr>; isGateway: boolean }, string> {
  const text = p.gateway ?? '';
  if (p.link) {
    const ifp = host.ifByName(text);
    return ifp === undefined
      ? err(`${text}: bad value`)
      : ok({ gw: { kind: 'link', ifIndex: ifp.index }, isGateway: false });
  }
  const addr = parseInAddr(text);
  if (addr === undefined) return err(`${text}: bad value`);
  return ok({ gw: { kind: 'addr', addr }, isGateway: !p.iface });
}

function add(host: Host, p: Parsed): CmdResult {
  const d = destination(p);
  if (d === undefined) return failure(`route: ${p.dst}: bad value\n`);
  const gateway = gatewayOf(host, p);
  if (!gateway.ok) return failure(`route: ${gateway.error}\n`);
  const g = gateway.value;
  const flags: RtFlag[] = [...p.flags, 'STATIC'];
  if (d.isHost) flags.push('HOST');
  if (g.isGateway) flags.push('GATEWAY');
  const ifa = p.ifa === undefined ? undefined : parseInAddr(p.ifa);
  const ifp = p.ifp === undefined ? undefined : host.ifByName(p.ifp);
  const result = rtAdd(host, {
    dst: d.dst,
    prefixLen: d.prefixLen,
    gateway: g.gw,
    flags,
    ...(ifa === undefined ? {} : { ifa }),
    ...(ifp === undefined ? {} : { ifp }),
  });
  const what = `${describe(d, p.dst ?? '')}: gateway ${p.gateway}`;
  if (!result.ok)
    return failure(
      `route: writing to routing socket: ${errnoText[result.error]}\nadd ${what}: ${errnoText[result.error]}\n`,
    );
  return success(lines([`add ${what}`]));
}

function remove(host: Host, p: Parsed): CmdResult {
  const d = destination(p);
  if (d === undefined) return failure(`route: ${p.dst}: bad value\n`);
  const result = rtDelete(host, d.dst, d.prefixLen);
  if (!result.ok) return failure(`route: writing to routing socket: ${errnoText[result.error as Errno]}\n`);
  return success(lines([`delete ${describe(d, p.dst ?? '')}`]));
}

function change(host: Host, p: Parsed): CmdResult {
  const d = destination(p);
  if (d === undefined) return failure(`route: ${p.dst}: bad value\n`);
  const ifp: Ifnet | undefined = p.ifp === undefined ? undefined : host.ifByName(p.ifp);
  const result = rtChange(host, d.dst, d.prefixLen, ifp === undefined ? {} : { ifp });
  if (!result.ok) return failure(`route: writing to routing socket: ${errnoText[result.error]}\n`);
  return success(lines([`change ${describe(d, p.dst ?? '')}`]));
}

const GET_LABEL_WIDTH = 11;
const METRICS_HEADER = ' recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire';

/** `route -n get`: the RTM_GET answer, labels right-aligned as route.c print_getmsg does. */
function get(host: Host, p: Parsed): CmdResult {
  const target = parseInAddr((p.dst ?? '').split('/')[0] ?? '');
  const rt = target === undefined ? undefined : host.rt4.lookup(target);
  if (target === undefined || rt === undefined)
    return failure(`route: writing to routing socket: not in table\n`);
  const label = (name: string, value: string): string =>
    `${`${name}:`.padStart(GET_LABEL_WIDTH + 1)} ${value}`;
  const out = [label('route to', formatInAddr(target))];
  out.push(label('destination', rt.prefixLen === 0 ? 'default' : formatInAddr(rt.dst)));
  if (!rt.flags.has('HOST'))
    out.push(label('mask', rt.prefixLen === 0 ? 'default' : formatInAddr(maskOf(rt.prefixLen) as InAddr)));
  if (rt.flags.has('GATEWAY'))
    out.push(label('gateway', formatSockaddr(host, gatewaySockaddr(host, rt.gateway))));
  out.push(label('local addr', formatInAddr(rt.ifa)));
  out.push(label('interface', host.ifByIndex(rt.ifIndex)?.name ?? '?'));
  const flags = new Set<RtFlag>(rt.flags);
  flags.add('DONE');
  flags.delete('STATIC');
  if (rt.flags.has('STATIC')) flags.add('STATIC');
  // A local route carries the interface's link address: the kernel reports it as LLINFO.
  if (rt.flags.has('LOCAL')) flags.add('LLINFO');
  out.push(label('flags', `<${sortFlags(flags).join(',')}>`));
  out.push(
    METRICS_HEADER,
    `${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(8)} ${'0'.padStart(10)}`,
  );
  return success(lines(out));
}

const RTM_TEXT: Record<RtMsg['type'], string> = {
  RTM_ADD: 'Add Route',
  RTM_DELETE: 'Delete Route',
  RTM_CHANGE: 'Change Metrics or flags',
  RTM_GET: 'Report Metrics',
  RTM_REDIRECT: 'Told to use different route',
  RTM_MISS: 'Lookup failed on this address',
  RTM_NEWADDR: 'address being added to iface',
  RTM_DELADDR: 'address being removed from iface',
  RTM_IFINFO: 'iface status change',
};

/** One message as `route -n monitor` prints it (route.c print_rtmsg). */
export function formatRtMsg(host: Host, msg: RtMsg): string[] {
  const present = RTA_NAMES.filter((n) => msg.addrs[n] !== undefined);
  const addrs = present.map((n) =>
    formatSockaddr(host, msg.addrs[n] as NonNullable<RtMsg['addrs'][typeof n]>),
  );
  return [
    `got message of size 176 on ${host.name}`,
    `${msg.type}: ${RTM_TEXT[msg.type]}: len 176, pid: 0, seq 0, errno ${msg.errno}, flags:<${msg.flags.join(',')}>`,
    'locks:  inits: ',
    `sockaddrs: <${present.join(',')}>`,
    ` ${addrs.join(' ')}`,
    '',
  ];
}

/** route(8): add, delete, change, get; monitor runs as a background job (see harness). */
export function route(ctx: CmdContext, argv: readonly string[]): CmdResult {
  if (argv.includes('-inet6')) return route6(ctx, argv);
  // -n (numeric) and -L (no link-layer entries) change nothing here.
  const args = argv.filter((a) => !['-n', '-L', '-nL', '-Ln'].includes(a));
  const [verb, ...rest] = args;
  const p = parse(rest);
  if (verb === 'add') return add(ctx.host, p);
  if (verb === 'delete') return remove(ctx.host, p);
  if (verb === 'change') return change(ctx.host, p);
  if (verb === 'get') return get(ctx.host, p);
  return failure(`route: ${verb}: unknown command\n`);
}
