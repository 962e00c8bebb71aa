import type { InputLines } from './lines.ts';
import { parseU64 } from './numbers.ts';
import type { ParseError, SectionBase } from './types.ts';

/**
 * FreeBSD `netstat -s [-p ip|udp]` (usr.bin/netstat/inet.c ip_stats, udp_stats): a `proto:` title,
 * then one tab-indented `<count> <phrase>` line per counter (zeros too unless -ss, where a title may
 * have no counter under it). Phrases are matched singular or plural, old and new wording; lines we
 * do not know are kept under their phrase.
 */
export type NetstatProto = 'ip' | 'udp';

const UDP_PHRASES: Readonly<Record<string, RegExp>> = {
  received: /^datagrams? received$/,
  hdrops: /^with incomplete header$/,
  badlen: /^with bad data length field$/,
  badsum: /^with bad checksum$/,
  nosum: /^with no checksum$/,
  noport: /^dropped due to no socket$/,
  noportbcast: /^broadcast\/multicast datagrams? (undelivered|dropped due to no socket)$/,
  fullsock: /^dropped due to full socket buffers$/,
  pcbhashmiss: /^(not for hashed pcb|PCB hash miss(es)?)$/,
  delivered: /^delivered$/,
  opackets: /^datagrams? output$/,
};

const IP_PHRASES: Readonly<Record<string, RegExp>> = {
  total: /^total packets? received$/,
  badsum: /^bad header checksums?$/,
  toosmall: /^with size smaller than minimum$/,
  toolong: /^with ip length > max ip packet size$/,
  fragments: /^fragments? received$/,
  fragdropped: /^fragments? dropped \(dup or out of space\)$/,
  fragtimeout: /^fragments? dropped after timeout$/,
  reassembled: /^packets? reassembled ok$/,
  delivered: /^packets? for this host$/,
  noproto: /^packets? for unknown\/unsupported protocol$/,
  forward: /^packets? forwarded( \(\d+ packets? fast forwarded\))?$/,
  cantforward: /^packets? not forwardable$/,
  localout: /^packets? sent from this host$/,
  odropped: /^output packets? dropped due to no bufs(, etc\.)?$/,
  noroute: /^output packets? discarded due to no route$/,
  fragmented: /^output datagrams? fragmented$/,
  ofragments: /^fragments? created$/,
};

const NETSTAT_PHRASES: Readonly<Record<NetstatProto, Readonly<Record<string, RegExp>>>> = {
  ip: IP_PHRASES,
  udp: UDP_PHRASES,
};

/** Phrases that open a table whose `proto:` title was not copied (the RSS blog's `netstat -sp udp`). */
const OPENERS: readonly [RegExp, NetstatProto][] = [
  [UDP_PHRASES.received as RegExp, 'udp'],
  [IP_PHRASES.total as RegExp, 'ip'],
];

export interface NetstatCounter {
  readonly line: number;
  readonly value: bigint;
}

export interface NetstatSSection extends SectionBase {
  readonly format: 'netstat-s';
  /** `ip`, `udp`, or another protocol's title (its counters are kept, not checked). */
  readonly proto: string;
  /** By counter name (`fullsock`), or by phrase for lines we do not name. */
  readonly counters: ReadonlyMap<string, NetstatCounter>;
}

/**
 * A `proto:` title: netstat prints the protocol's name in lower case (`ip`, `icmp`, `ip6`, `udp`);
 * Linux net-tools' `Ip:` / `Udp:` are another format (detect.ts names it).
 */
const TITLE = /^\s*([a-z][a-z0-9_]*):\s*$/;
/** `<count> <phrase>`, indented. The phrase is the rest of the line, trimmed (no pattern spans it). */
const COUNTER_HEAD = /^\s+(\d+)\s+/;
const INDENTED = /^\s+\S/;
/** A counter line with a minus sign: netstat prints every count with `%ju`, so not its output. */
const NEGATIVE_COUNTER = /^\s+-\d+\s+\S/;

function counterLine(line: string | undefined): { token: string; phrase: string } | undefined {
  const m = line === undefined ? null : COUNTER_HEAD.exec(line);
  if (line === undefined || m === null) return undefined;
  const phrase = line.slice(m[0].length).trimEnd();
  return phrase === '' ? undefined : { token: m[1] ?? '', phrase };
}

function implicitProto(line: string | undefined): NetstatProto | undefined {
  const c = counterLine(line);
  return c === undefined ? undefined : OPENERS.find(([re]) => re.test(c.phrase))?.[1];
}

/**
 * A line that opens a netstat -s table: a `proto:` title, or the first counter of an untitled ip /
 * udp table. A title may stand alone: with -ss netstat leaves out zero counters, so a protocol with
 * none prints its title only, and icmp's first lines are its histograms.
 */
export function opensNetstatS(line: string | undefined): boolean {
  return line !== undefined && (TITLE.test(line) || implicitProto(line) !== undefined);
}

export function startsNetstatS(lines: InputLines, i: number): boolean {
  return opensNetstatS(lines.text[i]);
}

function nameOf(proto: string, phrase: string): string {
  const table = NETSTAT_PHRASES[proto.toLowerCase() as NetstatProto];
  if (table === undefined) return phrase;
  return Object.entries(table).find(([, re]) => re.test(phrase))?.[0] ?? phrase;
}

export function parseNetstatS(
  lines: InputLines,
  start: number,
): { section: NetstatSSection; next: number } | ParseError {
  const title = TITLE.exec(lines.text[start] ?? '');
  const proto = title ? (title[1] ?? '') : (implicitProto(lines.text[start]) ?? '');
  const counters = new Map<string, NetstatCounter>();
  let i = title ? start + 1 : start;
  for (; i < lines.text.length; i++) {
    const line = lines.text[i] ?? '';
    if (!INDENTED.test(line)) break;
    if (NEGATIVE_COUNTER.test(line))
      return {
        line: i + 1,
        message: 'a negative count',
        expected: 'an unsigned 64-bit count (netstat prints %ju)',
      };
    const c = counterLine(line);
    if (c === undefined) continue; // histogram titles, "echo reply: 8", "ICMP address mask responses are ..."
    const value = parseU64(c.token);
    if (value === undefined) {
      return {
        line: i + 1,
        message: `counter "${c.token.slice(0, 24)}" is out of range`,
        expected: 'an unsigned 64-bit count',
      };
    }
    const name = nameOf(proto, c.phrase);
    if (!counters.has(name)) counters.set(name, { line: i + 1, value });
  }
  const p = proto.toLowerCase();
  const layout =
    p === 'ip' || p === 'udp'
      ? `netstat -s -p ${p}${title ? '' : ' (untitled)'}`
      : `netstat -s ${proto} (not checked)`;
  return {
    section: { format: 'netstat-s', layout, firstLine: start + 1, lastLine: i, proto: p, counters },
    next: i,
  };
}
