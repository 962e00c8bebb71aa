import { errnoText } from '../../model/net/errno.ts';
import type { Host } from '../../model/net/host.ts';
import {
  type In6Addr,
  in6Embed,
  in6MaskOf,
  in6NetOf,
  in6Unembed,
  isLinkScope6,
} from '../../model/net/in6.ts';
import { type RtFlag, type RtGateway, sortFlags } from '../../model/net/route.ts';
import { formatIn6Scoped, gateway6Sockaddr, rt6Add, rt6Change, rt6Delete } from '../../model/net/rt6ops.ts';
import { formatSockaddr } from './format.ts';
import { parseScoped6 } from './scope6.ts';
import { type CmdContext, type CmdResult, failure, lines, success } from './types.ts';

interface Parsed6 {
  net: boolean | undefined;
  dst: string | undefined;
  gateway: string | undefined;
  flags: RtFlag[];
  iface: boolean;
  ifp: string | undefined;
  prefixLen: number | undefined;
}

const FLAG_OPTIONS: Record<string, RtFlag> = {
  '-blackhole': 'BLACKHOLE',
  '-reject': 'REJECT',
  '-static': 'STATIC',
};

function parse(args: readonly string[]): Parsed6 {
  const p: Parsed6 = {
    net: undefined,
    dst: undefined,
    gateway: undefined,
    flags: [],
    iface: false,
    ifp: undefined,
    prefixLen: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const flag = FLAG_OPTIONS[a];
    if (flag !== undefined) p.flags.push(flag);
    else if (a === '-net') p.net = true;
    else if (a === '-host') p.net = false;
    else if (a === '-iface' || a === '-interface') p.iface = true;
    else if (a === '-ifp') p.ifp = args[++i];
    else if (a === '-prefixlen') p.prefixLen = Number(args[++i]);
    else if (a.startsWith('-')) continue;
    else if (p.dst === undefined) p.dst = a;
    else if (p.gateway === undefined) p.gateway = a;
  }
  return p;
}

interface Dest6 {
  readonly key: In6Addr;
  readonly prefixLen: number;
  readonly isHost: boolean;
  readonly text: string;
}

/** The destination as route(8) reads it for -inet6: default, addr/len, or a host. */
function destination(host: Host, p: Parsed6): Dest6 | undefined {
  const text = p.dst ?? '';
  if (text === 'default') return { key: '::' as In6Addr, prefixLen: 0, isHost: false, text };
  const [addrText = '', lenText] = text.split('/');
  const s = parseScoped6(host, addrText);
  if (s === undefined) return undefined;
  const isHost =
    p.net === false || (p.net === undefined && lenText === undefined && p.prefixLen === undefined);
  const prefixLen = isHost ? 128 : Number(lenText ?? p.prefixLen ?? 64);
  return { key: in6NetOf(in6Embed(s.addr, s.zone), prefixLen), prefixLen, isHost, text };
}

function gatewayOf(host: Host, p: Parsed6): RtGateway<In6Addr> | undefined {
  const text = p.gateway ?? '';
  const ifp = host.ifByName(text);
  if (ifp !== undefined) return { kind: 'link', ifIndex: ifp.index };
  const s = parseScoped6(host, text);
  if (s === undefined) return undefined;
  return { kind: 'addr', addr: in6Embed(s.addr, s.zone) };
}

function add(host: Host, p: Parsed6): CmdResult {
  const d = destination(host, p);
  if (d === undefined) return failure(`route: ${p.dst}: bad value\n`);
  const gw = gatewayOf(host, p);
  if (gw === undefined) return failure(`route: ${p.gateway}: bad value\n`);
  const flags: RtFlag[] = [...p.flags, 'STATIC'];
  if (d.isHost) flags.push('HOST');
  if (gw.kind === 'addr' && !p.iface) flags.push('GATEWAY');
  const result = rt6Add(host, { dst: d.key, prefixLen: d.prefixLen, gateway: gw, flags });
  const what = `${d.isHost ? 'host' : 'net'} ${d.text}: gateway ${p.gateway}`;
  if (!result.ok)
    return failure(
      `route: writing to routing socket: ${errnoText[result.error]}\nadd ${what}: ${errnoText[result.error]}\n`,
    );
  return success(lines([`add ${what}`]));
}

function remove(host: Host, p: Parsed6): CmdResult {
  const d = destination(host, p);
  if (d === undefined) return failure(`route: ${p.dst}: bad value\n`);
  const result = rt6Delete(host, d.key, d.prefixLen);
  if (!result.ok) return failure(`route: writing to routing socket: ${errnoText[result.error]}\n`);
  return success(lines([`delete ${d.isHost ? 'host' : 'net'} ${d.text}`]));
}

function change(host: Host, p: Parsed6): CmdResult {
  const d = destination(host, p);
  if (d === undefined) return failure(`route: ${p.dst}: bad value\n`);
  const ifp = p.ifp === undefined ? undefined : host.ifByName(p.ifp);
  const result = rt6Change(host, d.key, d.prefixLen, ifp === undefined ? {} : { ifp });
  if (!result.ok) return failure(`route: writing to routing socket: ${errnoText[result.error]}\n`);
  return success(lines([`change ${d.isHost ? 'host' : 'net'} ${d.text}`]));
}

const GET_LABEL_WIDTH = 11;
const METRICS_HEADER = ' recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire';
/** `route get -inet6`: a link-scoped target without a zone is not in any table. */
function get(host: Host, p: Parsed6): CmdResult {
  const s = parseScoped6(host, (p.dst ?? '').split('/')[0] ?? '');
  const notInTable = failure('route: writing to routing socket: not in table\n');
  if (s === undefined || (isLinkScope6(s.addr) && s.zone === 0)) return notInTable;
  const rt = host.rt6.lookup(in6Embed(s.addr, s.zone));
  if (rt === undefined) return notInTable;
  const label = (name: string, value: string): string =>
    `${`${name}:`.padStart(GET_LABEL_WIDTH + 1)} ${value}`;
  const out = [label('route to', formatIn6Scoped(host, in6Embed(s.addr, s.zone)))];
  out.push(label('destination', rt.prefixLen === 0 ? '::' : formatIn6Scoped(host, rt.dst)));
  if (!rt.flags.has('HOST'))
    out.push(label('mask', rt.prefixLen === 0 ? 'default' : in6MaskOf(rt.prefixLen)));
  if (rt.flags.has('GATEWAY'))
    out.push(label('gateway', formatSockaddr(host, gateway6Sockaddr(host, rt.gateway))));
  out.push(
    label(
      'local addr',
      formatIn6Scoped(
        host,
        in6Embed(rt.ifa, isLinkScope6(rt.ifa) ? in6Unembed(rt.dst).zone || rt.ifIndex : 0),
      ),
    ),
  );
  out.push(label('interface', host.ifByIndex(rt.ifIndex)?.name ?? '?'));
  const flags = new Set<RtFlag>(rt.flags);
  flags.add('DONE');
  if (rt.flags.has('LOCAL')) flags.add('LLINFO');
  out.push(label('flags', `<${sortFlags(flags).join(',')}>`));
  out.push(
    METRICS_HEADER,
    `${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(9)} ${'0'.padStart(8)} ${'0'.padStart(10)}`,
  );
  return success(lines(out));
}

/** route(8) with -inet6: add, delete, change, get. */
export function route6(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const args = argv.filter((a) => !/^-n[A-Za-z]*$/.test(a) || a === '-net');
  const at = args.findIndex((a) => !a.startsWith('-'));
  const verb = args[at];
  const p = parse(args.slice(at + 1));
  if (verb === 'add') return add(ctx.host, p);
  if (verb === 'delete') return remove(ctx.host, p);
  if (verb === 'change') return change(ctx.host, p);
  if (verb === 'get') return get(ctx.host, p);
  return failure(`route: ${verb}: unknown command\n`);
}
