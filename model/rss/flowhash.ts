import { flowId } from '../brand.ts';
import { type Flow, IPPROTO_TCP, IPPROTO_UDP } from '../packet.ts';
import { err, ok, type Result } from '../result.ts';
import { type AddressFamily, parseAddress } from './address.ts';
import type { HashType } from './hashtype.ts';
import { RSS_DEFAULT_KEY, toeplitzHash } from './toeplitz.ts';

/** Which hash types the stack (and the NIC it programs) computes (rss_gethashconfig, R-11). */
export interface RssHashConfig {
  /** Off by default in FreeBSD: UDP is steered by its 2-tuple. */
  readonly udp4Tuple: boolean;
}

export const FREEBSD_HASH_CONFIG: RssHashConfig = { udp4Tuple: false };

export interface FlowSpec {
  readonly family: AddressFamily;
  readonly ipProto: number;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
}

/** Parses a flow spec and computes its hashes once; answers an error sentence on bad input. */
export function makeFlow(id: number, spec: FlowSpec): Result<Flow, string> {
  const src = parseAddress(spec.family, spec.src);
  const dst = parseAddress(spec.family, spec.dst);
  if (src === undefined) return err(`flow ${id}: bad ${spec.family} source address '${spec.src}'`);
  if (dst === undefined) return err(`flow ${id}: bad ${spec.family} destination address '${spec.dst}'`);
  for (const port of [spec.sport, spec.dport]) {
    if (!Number.isInteger(port) || port < 0 || port > 0xffff)
      return err(`flow ${id}: port ${port} outside 0..65535`);
  }
  // 2-tuple input = src || dst; 4-tuple = src || dst || sport || dport, network order. The two
  // share their prefix: one byte list, hashed over its first part and over all of it, and the
  // flow built as one literal (this runs per flow per run).
  const n = src.length;
  const bytes: number[] = new Array(2 * n + 4);
  for (let i = 0; i < n; i++) {
    bytes[i] = src[i] ?? 0;
    bytes[n + i] = dst[i] ?? 0;
  }
  const hash2Tuple = toeplitzHash(bytes, RSS_DEFAULT_KEY, 2 * n);
  bytes[2 * n] = (spec.sport >> 8) & 0xff;
  bytes[2 * n + 1] = spec.sport & 0xff;
  bytes[2 * n + 2] = (spec.dport >> 8) & 0xff;
  bytes[2 * n + 3] = spec.dport & 0xff;
  return ok({
    family: spec.family,
    ipProto: spec.ipProto,
    srcText: spec.src,
    dstText: spec.dst,
    src,
    dst,
    sport: spec.sport,
    dport: spec.dport,
    id: flowId(id),
    hash2Tuple,
    hash4Tuple: toeplitzHash(bytes),
  });
}

export interface FlowHash {
  readonly hash: number;
  readonly hashType: HashType;
}

/**
 * R-12/R-16 (in_rss.c rss_proto_software_hash_v4, rss_mbuf_software_hash_v4): TCP, and UDP when
 * its 4-tuple type is on, hash over ports unless the packet is a fragment (fragments carry no
 * ports); everything else hashes the 2-tuple. NICs programmed by RSS follow the same choice.
 */
export function rssHash(flow: Flow, fragment: boolean, config: RssHashConfig): FlowHash {
  const v6 = flow.family === 'inet6';
  if (!fragment && flow.ipProto === IPPROTO_TCP) {
    return { hash: flow.hash4Tuple, hashType: v6 ? 'rss-tcp-ipv6' : 'rss-tcp-ipv4' };
  }
  if (!fragment && flow.ipProto === IPPROTO_UDP && config.udp4Tuple) {
    return { hash: flow.hash4Tuple, hashType: v6 ? 'rss-udp-ipv6' : 'rss-udp-ipv4' };
  }
  return { hash: flow.hash2Tuple, hashType: v6 ? 'rss-ipv6' : 'rss-ipv4' };
}

/**
 * R-15 (rss_mbuf_software_hash_v4 / _v6 returning +1): whether the hash already on the mbuf is
 * kept. IPv4 (in_rss.c): TCP only a TCP 4-tuple hash on a packet that is no fragment; UDP, with its
 * 4-tuple type on, only a UDP 4-tuple hash on a non-fragment, else only the 2-tuple hash; anything
 * else only the 2-tuple hash. So a TCP fragment, or a UDP fragment with udp_4tuple on, is never
 * trusted: its 2-tuple hash is computed again. IPv6 (in6_rss.c): a fragment's next header is the
 * fragment header, so it takes the default case (the 2-tuple hash is trusted).
 */
export function rssHashTrusted(
  flow: Flow,
  fragment: boolean,
  current: HashType,
  config: RssHashConfig,
): boolean {
  // 'none' matches no type below, so an mbuf without a hash is never trusted.
  if (flow.family === 'inet6') return current === rssHash(flow, fragment, config).hashType;
  if (flow.ipProto === IPPROTO_TCP) return !fragment && current === 'rss-tcp-ipv4';
  if (flow.ipProto === IPPROTO_UDP && config.udp4Tuple) return !fragment && current === 'rss-udp-ipv4';
  return current === 'rss-ipv4';
}
