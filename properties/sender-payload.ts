/**
 * What a sender puts at each offset of a datagram, restated from the workload's contract
 * (flow, ip id, content version, offset -> byte; FNV-1a 32 digests) so that datagram-intact
 * judges reassembly without calling the model's own payload code: a fault there shows up as
 * a digest mismatch instead of being repeated on both sides. Streaming, no byte buffers.
 */

const MIX_FLOW = 0x9e3779b1;
const MIX_IP_ID = 0x85ebca6b;
const MIX_VERSION = 0xc2b2ae35;
const MIX_OFFSET = 0x27d4eb2f;
const FNV1A_OFFSET_BASIS = 0x811c9dc5;
const FNV1A_PRIME = 0x01000193;

/** The sender's byte at `offsetBytes` of datagram (flow, ipId) in content version `version`. */
export function senderByte(flow: number, ipId: number, version: number, offsetBytes: number): number {
  const seed =
    Math.imul(flow + 1, MIX_FLOW) ^
    Math.imul(ipId + 1, MIX_IP_ID) ^
    Math.imul(version, MIX_VERSION) ^
    Math.imul(offsetBytes + 1, MIX_OFFSET);
  // murmur3-style finaliser: the contract's avalanche step.
  const a = Math.imul(seed ^ (seed >>> 16), 0x7feb352d);
  const b = Math.imul(a ^ (a >>> 15), 0x846ca68b);
  return (b ^ (b >>> 16)) & 0xff;
}

/** A running FNV-1a 32 digest fed piece by piece, as the pieces tile a payload. */
export class SenderDigest {
  #h = FNV1A_OFFSET_BASIS;

  /** Folds in bytes [offsetBytes, offsetBytes + lengthBytes) of one content version. */
  addPiece(flow: number, ipId: number, version: number, offsetBytes: number, lengthBytes: number): void {
    let h = this.#h;
    for (let o = offsetBytes; o < offsetBytes + lengthBytes; o++) {
      h = Math.imul(h ^ senderByte(flow, ipId, version, o), FNV1A_PRIME);
    }
    this.#h = h;
  }

  get value(): number {
    return this.#h >>> 0;
  }
}
