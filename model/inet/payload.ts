/**
 * What senders put in datagrams: payload bytes derived from (flow, ip id, content version,
 * offset), so a fragment's bytes need no storage in the workload and reassembly can be checked
 * byte for byte. Version 0 is the sender's datagram; other versions forge different bytes at the
 * same offsets (overlap attacks). Pure integer mixing, no randomness.
 */

/** One payload byte of datagram (flow, ipId) at `offsetBytes`, in content version `version`. */
export function payloadByte(flow: number, ipId: number, version: number, offsetBytes: number): number {
  let x = Math.imul(flow + 1, 0x9e3779b1) ^ Math.imul(ipId + 1, 0x85ebca6b);
  x ^= Math.imul(version, 0xc2b2ae35) ^ Math.imul(offsetBytes + 1, 0x27d4eb2f);
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) & 0xff;
}

/** The bytes [offsetBytes, offsetBytes + lengthBytes) of a datagram in one content version. */
export function payloadBytes(
  flow: number,
  ipId: number,
  version: number,
  offsetBytes: number,
  lengthBytes: number,
): Uint8Array {
  return Uint8Array.from({ length: lengthBytes }, (_, i) =>
    payloadByte(flow, ipId, version, offsetBytes + i),
  );
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a's state before any byte (payloadDigest's start). */
export const DIGEST_START = FNV_OFFSET;

/**
 * The FNV-1a state `h` carried over the bytes payloadBytes(flow, ipId, version, offsetBytes,
 * lengthBytes) would hold, without making them: a reassembled datagram's digest is taken on
 * every completion. The digest is the final state `>>> 0`.
 */
export function digestBytes(
  h: number,
  flow: number,
  ipId: number,
  version: number,
  offsetBytes: number,
  lengthBytes: number,
): number {
  let state = h;
  for (let i = 0; i < lengthBytes; i++)
    state = Math.imul(state ^ payloadByte(flow, ipId, version, offsetBytes + i), FNV_PRIME);
  return state;
}

/** FNV-1a 32 over a sequence of byte arrays, as if concatenated. */
export function payloadDigest(parts: readonly Uint8Array[]): number {
  let h = FNV_OFFSET;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ (part[i] ?? 0), FNV_PRIME);
  }
  return h >>> 0;
}

/**
 * Digests of whole datagrams already worked out: every fragment's arrive event carries its
 * datagram's digest (up to 64 KiB of bytes), and a datagram arrives as several fragments, in
 * many runs. Keyed by the exact (flow, ip id, length) text; bounded, the table starts over when full.
 */
const digests = new Map<string, number>();
const DIGESTS_MAX = 4096;

/** The digest of the sender's whole datagram (version 0, bytes 0 .. datagramBytes). */
export function datagramDigest(flow: number, ipId: number, datagramBytes: number): number {
  const key = `${flow}/${ipId}/${datagramBytes}`;
  const known = digests.get(key);
  if (known !== undefined) return known;
  const digest = digestBytes(FNV_OFFSET, flow, ipId, 0, 0, datagramBytes) >>> 0;
  if (digests.size >= DIGESTS_MAX) digests.clear();
  digests.set(key, digest);
  return digest;
}
