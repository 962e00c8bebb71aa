import { type Errno, type ErrnoResult, errnoText } from '../../model/net/errno.ts';
import type { Host } from '../../model/net/host.ts';
import { activeMac, IF_CLONERS, type Ifnet, type In6Flag, zeroCounters } from '../../model/net/ifnet.ts';
import {
  ifAddLink,
  ifCreate,
  ifDeleteLink,
  ifDestroy,
  ifSetLinkstr,
  ifSetMedia,
  ifSetNoarp,
  ifSetUp,
} from '../../model/net/ifops.ts';
import { inAddAddress, inDeleteAddress } from '../../model/net/in.ts';
import { type In6Addr, in6WithEui64, parseIn6 } from '../../model/net/in6.ts';
import { in6AddAddress, in6DeleteAddress } from '../../model/net/in6ctl.ts';
import { classfulPrefixLen, type InAddr, parseInAddr, prefixLenOfMask } from '../../model/net/inet.ts';
import { macOctets, parseMac } from '../../model/net/mac.ts';
import { type ShowOptions, showInterface } from './ifconfig-show.ts';
import { configureTunnel, pointToPoint4 } from './ifconfig-tunnel.ts';
import { type CmdContext, type CmdResult, failure, lines, success } from './types.ts';

const WAIT_DAD_POLL_NS = 10_000_000;

interface Flags {
  all: boolean;
  broadcastOnly: boolean;
  downOnly: boolean;
  upOnly: boolean;
  connectedOnly: boolean;
  namesOnly: boolean;
  lifetimes: boolean;
  resolve: boolean;
  verbose: boolean;
  zero: boolean;
  media: boolean;
  cloners: boolean;
  waitSeconds: number | undefined;
}

function parseFlags(argv: readonly string[]): { flags: Flags; rest: string[] } {
  const flags: Flags = {
    all: false,
    broadcastOnly: false,
    downOnly: false,
    upOnly: false,
    connectedOnly: false,
    namesOnly: false,
    lifetimes: false,
    resolve: false,
    verbose: false,
    zero: false,
    media: false,
    cloners: false,
    waitSeconds: undefined,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!/^-[a-zA-Z]$/.test(arg)) break;
    const letter = arg[1];
    if (letter === 'a') flags.all = true;
    else if (letter === 'b') flags.broadcastOnly = true;
    else if (letter === 'd') flags.downOnly = true;
    else if (letter === 'u') flags.upOnly = true;
    else if (letter === 's') flags.connectedOnly = true;
    else if (letter === 'l') flags.namesOnly = true;
    else if (letter === 'L') flags.lifetimes = true;
    else if (letter === 'N') flags.resolve = true;
    else if (letter === 'v') flags.verbose = true;
    else if (letter === 'z') flags.zero = true;
    else if (letter === 'm') flags.media = true;
    else if (letter === 'C') flags.cloners = true;
    else if (letter === 'w') flags.waitSeconds = Number(argv[++i]);
  }
  return { flags, rest: argv.slice(i) };
}

function selected(ifp: Ifnet, f: Flags): boolean {
  if (f.broadcastOnly && ifp.kind === 'loop') return false;
  if (f.downOnly && ifp.up) return false;
  if (f.upOnly && !ifp.up) return false;
  if (f.connectedOnly && ifp.linkState === 'down') return false;
  return true;
}

function showOptions(f: Flags, family?: ShowOptions['family']): ShowOptions {
  return {
    ...(family === undefined ? {} : { family }),
    lifetimes: f.lifetimes,
    resolve: f.resolve,
    verbose: f.verbose || f.zero,
    media: f.media,
  };
}

/** `ifconfig -w N`: poll until no address is tentative, at most N seconds. */
function waitDad(ctx: CmdContext, seconds: number): void {
  const tentative = (): boolean =>
    ctx.host.ifnets.some(
      (i) =>
        i.inAddrs.some((a) => a.flags.has('tentative')) || i.in6Addrs.some((a) => a.flags.has('tentative')),
    );
  const endNs = ctx.world.nowNs + seconds * 1e9;
  while (tentative() && ctx.world.nowNs < endNs)
    ctx.world.runFor(Math.min(WAIT_DAD_POLL_NS, endNs - ctx.world.nowNs));
}

function listMode(ctx: CmdContext, f: Flags): CmdResult {
  const host = ctx.host;
  const chosen = host.ifnets.filter((i) => selected(i, f));
  if (f.namesOnly) return success(lines([chosen.map((i) => i.name).join(' ')]));
  const out: string[] = [];
  for (const ifp of chosen) {
    out.push(...showInterface(host, ifp, showOptions(f)));
    if (f.zero) ifp.counters = zeroCounters();
  }
  return success(lines(out));
}

/** ifconfig(8) on the model. */
export function ifconfig(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const { flags, rest } = parseFlags(argv);
  if (flags.cloners) {
    const loaded = IF_CLONERS.filter((c) => c !== 'tap' || ctx.host.libs.includes('tap'));
    return success(lines([loaded.join(' ')]));
  }
  if (flags.waitSeconds !== undefined) {
    waitDad(ctx, flags.waitSeconds);
    return success();
  }
  if (rest.length === 0) return listMode(ctx, { ...flags, all: true });
  const [name = '', ...params] = rest;
  if (params[0] === 'create') return report(ifCreate(ctx.host, name), 'SIOCIFCREATE');
  const ifp = ctx.host.ifByName(name);
  if (ifp === undefined) return failure(`ifconfig: SIOCGIFFLAGS ${name}: Device not configured\n`);
  if (flags.connectedOnly && params.length === 0)
    return ifp.linkState === 'down' ? failure('', 1) : success();
  if (
    params.length === 0 ||
    (params.length === 1 && ['inet', 'inet6', 'link', 'atalk'].includes(params[0] ?? ''))
  ) {
    const family = params[0];
    if (family === 'atalk') return failure(`ifconfig: ${family}: address family not supported\n`);
    if (family === 'inet6' && !ctx.host.inet6)
      return failure('ifconfig: inet6: address family not supported\n');
    const out = showInterface(ctx.host, ifp, showOptions(flags, family as ShowOptions['family']));
    if (flags.zero) ifp.counters = zeroCounters();
    return success(lines(out));
  }
  return configure(ctx, ifp, params);
}

function report(result: ErrnoResult<unknown>, ioctl: string): CmdResult {
  return result.ok ? success() : failure(`ifconfig: ${ioctl}: ${errnoText[result.error]}\n`);
}

interface Params {
  family: 'inet' | 'inet6' | 'link';
  address: string | undefined;
  alias: boolean;
  remove: boolean;
  active: boolean;
  netmask: string | undefined;
  broadcast: string | undefined;
  prefixLen: number | undefined;
  pltime: number | undefined;
  vltime: number | undefined;
  in6Flags: In6Flag[];
  eui64: boolean;
  up: boolean | undefined;
  destroy: boolean;
  linkstr: string | undefined;
  media: 'none' | 'auto' | undefined;
  arp: boolean | undefined;
  metric: number | undefined;
  /** The far end of a point-to-point address (`inet A B`). */
  dstaddr: string | undefined;
  tunnel: readonly [string, string] | undefined;
  deleteTunnel: boolean;
}

function parseParams(params: readonly string[]): Params | string {
  const p: Params = {
    family: 'inet',
    address: undefined,
    alias: false,
    remove: false,
    active: false,
    netmask: undefined,
    broadcast: undefined,
    prefixLen: undefined,
    pltime: undefined,
    vltime: undefined,
    in6Flags: [],
    eui64: false,
    up: undefined,
    destroy: false,
    linkstr: undefined,
    media: undefined,
    arp: undefined,
    metric: undefined,
    dstaddr: undefined,
    tunnel: undefined,
    deleteTunnel: false,
  };
  for (let i = 0; i < params.length; i++) {
    const word = params[i] as string;
    const next = (): string => params[++i] ?? '';
    if (word === 'inet' || word === 'inet6' || word === 'link') p.family = word;
    else if (word === 'up') p.up = true;
    else if (word === 'down') p.up = false;
    else if (word === 'destroy') p.destroy = true;
    else if (word === 'alias' || word === 'add') p.alias = true;
    else if (word === '-alias' || word === 'delete') p.remove = true;
    else if (word === 'active') p.active = true;
    else if (word === 'linkstr') p.linkstr = next();
    else if (word === '-linkstr') p.linkstr = '';
    else if (word === 'media') p.media = next() === 'none' ? 'none' : 'auto';
    else if (word === 'netmask') p.netmask = next();
    else if (word === 'broadcast') p.broadcast = next();
    else if (word === 'prefixlen') p.prefixLen = Number(next());
    else if (word === 'pltime') p.pltime = Number(next());
    else if (word === 'vltime') p.vltime = Number(next());
    else if (word === 'anycast') p.in6Flags.push('anycast');
    else if (word === 'deprecated') p.in6Flags.push('deprecated');
    else if (word === '-deprecated') p.in6Flags = p.in6Flags.filter((f) => f !== 'deprecated');
    else if (word === 'eui64') p.eui64 = true;
    else if (word === 'arp' || word === '-arp') p.arp = word === 'arp';
    else if (word === 'metric') p.metric = Number(next());
    else if (word === 'tunnel') p.tunnel = [next(), next()];
    else if (word === 'deletetunnel') p.deleteTunnel = true;
    else if (p.address === undefined) p.address = word;
    else if (p.dstaddr === undefined && !word.startsWith('-')) p.dstaddr = word;
    else return `ifconfig: ${word}: bad value`;
  }
  return p;
}

function configure(ctx: CmdContext, ifp: Ifnet, params: readonly string[]): CmdResult {
  const host = ctx.host;
  const p = parseParams(params);
  if (typeof p === 'string') return failure(`${p}\n`);
  if (p.destroy) return report(ifDestroy(host, ifp), 'SIOCIFDESTROY');
  if (p.linkstr !== undefined) {
    const r = ifSetLinkstr(host, ifp, p.linkstr);
    if (!r.ok) return report(r, 'SIOCSLINKSTR');
  }
  if (p.media !== undefined) {
    const r = ifSetMedia(host, ifp, p.media);
    if (!r.ok) return report(r, 'SIOCSIFMEDIA');
  }
  if (p.arp !== undefined) ifSetNoarp(ifp, !p.arp);
  if (p.metric !== undefined) ifp.metric = p.metric;
  const tunnelWarning = p.tunnel !== undefined || p.deleteTunnel ? configureTunnel(host, ifp, p.tunnel) : '';
  if (p.address !== undefined) {
    const r = commitAddress(host, ifp, p);
    if (r !== undefined) return r;
  }
  if (p.up !== undefined) ifSetUp(host, ifp, p.up);
  // ifconfig warns about a refused tunnel (warn(3)) and still exits 0.
  return tunnelWarning === '' ? success() : { status: 0, stdout: '', stderr: tunnelWarning };
}

function commitAddress(host: Host, ifp: Ifnet, p: Params): CmdResult | undefined {
  if (p.family === 'link') return commitLink(host, ifp, p);
  if (p.family === 'inet6') return commitInet6(host, ifp, p);
  const [text = '', lenText] = (p.address ?? '').split('/');
  const addr = parseInAddr(text);
  if (addr === undefined) return failure(`ifconfig: ${text}: bad value\n`);
  if (p.remove) return errnoResult(inDeleteAddress(host, ifp, addr), 'SIOCDIFADDR');
  const maskLen =
    p.netmask === undefined
      ? undefined
      : prefixLenOfMask(
          Number(p.netmask.startsWith('0x') ? p.netmask : (parseInAddr(p.netmask) ?? Number.NaN)),
        );
  const prefixLen = lenText !== undefined ? Number(lenText) : (maskLen ?? classfulPrefixLen(addr));
  // Without `alias` the first address is replaced (ifconfig's in_commit_address).
  const primary = ifp.inAddrs[0];
  if (!p.alias && primary !== undefined && primary.addr !== addr) inDeleteAddress(host, ifp, primary.addr);
  const broadcast = p.broadcast === undefined ? undefined : parseInAddr(p.broadcast);
  const added = errnoResult(
    inAddAddress(host, ifp, {
      addr,
      prefixLen,
      ...(broadcast === undefined ? {} : { broadcast: broadcast as InAddr }),
    }),
    'SIOCAIFADDR',
  );
  if (added !== undefined || p.dstaddr === undefined) return added;
  return pointToPoint4(host, ifp, addr, p.dstaddr);
}

function commitInet6(host: Host, ifp: Ifnet, p: Params): CmdResult | undefined {
  const [text = '', lenText] = (p.address ?? '').split('/');
  let addr = parseIn6(text);
  if (addr === undefined) return failure(`ifconfig: ${text}: bad value\n`);
  const mac = activeMac(ifp);
  if (p.eui64 && mac !== undefined) addr = in6WithEui64(addr, macOctets(mac)) as In6Addr;
  if (p.remove) return errnoResult(in6DeleteAddress(host, ifp, addr), 'SIOCDIFADDR_IN6');
  const prefixLen = p.prefixLen ?? (lenText !== undefined ? Number(lenText) : 64);
  return errnoResult(
    in6AddAddress(host, ifp, {
      addr,
      prefixLen,
      flags: p.in6Flags,
      ...(p.pltime === undefined ? {} : { pltimeSeconds: p.pltime }),
      ...(p.vltime === undefined ? {} : { vltimeSeconds: p.vltime }),
      ...(p.dstaddr === undefined ? {} : { dstaddr: parseIn6(p.dstaddr) ?? addr }),
    }),
    'SIOCAIFADDR_IN6',
  );
}

function commitLink(host: Host, ifp: Ifnet, p: Params): CmdResult | undefined {
  const mac = parseMac(p.address ?? '');
  if (mac === undefined) return failure(`ifconfig: ${p.address}: bad value\n`);
  if (p.remove) return errnoResult(ifDeleteLink(ifp, mac), 'SIOCDLIFADDR');
  return errnoResult(ifAddLink(host, ifp, mac, p.active), 'SIOCALIFADDR');
}

function errnoResult(result: ErrnoResult<unknown>, ioctl: string): CmdResult | undefined {
  if (result.ok) return undefined;
  return failure(`ifconfig: ${ioctl}: ${errnoText[result.error as Errno]}\n`);
}
