import fc from 'fast-check';
import { formatIn6Groups } from '../../model/net/in6.ts';
import { parseAddress, portBytes } from '../../model/rss/address.ts';
import type { FlowSpec } from '../../model/rss/flowhash.ts';
import { RSS_MAXBITS } from '../../model/rss/knobs.ts';
import { bitRange, ToeplitzSystem } from '../../model/rss/toeplitz-solve.ts';
import { plainRecord } from './plain-record.ts';

/**
 * Flows whose Toeplitz hashes sit at the edges where a policy's arithmetic breaks: a hash scaled by
 * `/ 0xffffffff` instead of `/ 2 ** 32` overflows only at 0xffffffff, a signed shift turns at
 * 0x80000000, a bucket mask is off by one only when the low bits are all ones. Random addresses
 * and ports give such a hash about once in 2^32 flows; these flows are solved for it
 * (model/rss/toeplitz-solve.ts) over address bits of the ranges the generator draws from, and
 * the ports, so only fast-check's draws decide them.
 */

/** Hash values a policy's scaling or sign handling gets wrong; 0 first, what a target shrinks to. */
export const EDGE_HASHES: readonly number[] = [0, 0xffff_ffff, 0x7fff_ffff, 0x8000_0000];

/**
 * The last bucket of a mask: the low `bits` bits all ones (1..RSS_MAXBITS, the bucket tables and
 * the 128-entry redirection table), the bits above drawn.
 */
const maskEdgeArb: fc.Arbitrary<number> = plainRecord({
  bits: fc.integer({ min: 1, max: RSS_MAXBITS }),
  high: fc.nat({ max: 0xffff_ffff }),
}).map(({ bits, high }) => ((high << bits) | ((1 << bits) - 1)) >>> 0);

export const boundaryHashArb: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_HASHES) },
  { weight: 1, arbitrary: maskEdgeArb },
);

/** The hash a flow is solved for, per hash input: the policy sees one or the other. */
export interface HashTargets {
  /** Addresses only: other protocols, fragments, UDP unless net.inet.rss.udp_4tuple. */
  readonly twoTuple: number;
  /** Addresses and ports: TCP, and UDP with net.inet.rss.udp_4tuple (and on Linux). */
  readonly fourTuple: number;
}

export const hashTargetsArb: fc.Arbitrary<HashTargets> = plainRecord({
  twoTuple: boundaryHashArb,
  fourTuple: boundaryHashArb,
});

/**
 * Free input bits of the 2-tuple (src || dst), inside the generator's address shapes: IPv4 src
 * 10.x.x.x and dst 192.168.x.1, IPv6 src 2001:db8:x::x and dst 2001:db8:ffff::x. Their windows
 * under the default key span all 32 hash bits (toeplitz-solve.test.ts), so every target is met.
 * The ports are free too: all 32 bits after the addresses. Each system is eliminated once.
 */
const SYSTEMS = {
  inet: {
    pair: new ToeplitzSystem([...bitRange(8, 24), ...bitRange(48, 8)]),
    ports: new ToeplitzSystem(bitRange(8 * 8, 32)),
  },
  inet6: {
    pair: new ToeplitzSystem([...bitRange(32, 16), ...bitRange(112, 16), ...bitRange(240, 16)]),
    ports: new ToeplitzSystem(bitRange(8 * 32, 32)),
  },
} as const;

function addressText(family: FlowSpec['family'], bytes: readonly number[]): string {
  if (family === 'inet') return bytes.join('.');
  return formatIn6Groups(
    Array.from({ length: 8 }, (_, g) => ((bytes[2 * g] ?? 0) << 8) | (bytes[2 * g + 1] ?? 0)),
  );
}

/**
 * `spec` with its addresses and ports changed (few bits, the ranges kept) so its 2-tuple hash is
 * `targets.twoTuple` and its 4-tuple hash `targets.fourTuple`. The 4-tuple hash is the 2-tuple
 * hash XOR the ports' share, and the port bits' windows span only 31 dimensions under the default
 * key: a 4-tuple target the ports cannot reach takes the 2-tuple target instead, so whichever
 * hash the case uses is an edge. A spec that does not parse comes back as it is (makeFlow names it).
 * `src` and `dst` are the addresses' bytes, given by a caller that drew them as bytes.
 */
export function withHashes(
  spec: FlowSpec,
  targets: HashTargets,
  src: readonly number[] | undefined = parseAddress(spec.family, spec.src),
  dst: readonly number[] | undefined = parseAddress(spec.family, spec.dst),
): FlowSpec {
  if (src === undefined || dst === undefined) return spec;
  const systems = SYSTEMS[spec.family];
  const addresses = [...src, ...dst];
  const pair = systems.pair.solve(addresses, targets.twoTuple) ?? addresses;
  const input = [...pair, ...portBytes(spec.sport), ...portBytes(spec.dport)];
  const tuple =
    systems.ports.solve(input, targets.fourTuple) ?? systems.ports.solve(input, targets.twoTuple) ?? input;
  const n = src.length;
  const port = (at: number) => ((tuple[at] ?? 0) << 8) | (tuple[at + 1] ?? 0);
  return {
    ...spec,
    src: addressText(spec.family, tuple.slice(0, n)),
    dst: addressText(spec.family, tuple.slice(n, 2 * n)),
    sport: port(2 * n),
    dport: port(2 * n + 2),
  };
}
