import type { CpuId, FlowId, PacketId, VirtualNs } from './brand.ts';
import type { AddressFamily } from './rss/address.ts';
import type { HashType } from './rss/hashtype.ts';

/** IP protocol numbers the model knows by name. */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ESP = 50;

/** A flow's 5-tuple as parsed once at the workload boundary; addresses in network byte order. */
export interface FlowTuple {
  readonly family: AddressFamily;
  readonly ipProto: number;
  readonly srcText: string;
  readonly dstText: string;
  readonly src: readonly number[];
  readonly dst: readonly number[];
  readonly sport: number;
  readonly dport: number;
}

/** A flow with its Toeplitz hashes computed once (2-tuple: addresses; 4-tuple: plus ports). */
export interface Flow extends FlowTuple {
  readonly id: FlowId;
  readonly hash2Tuple: number;
  readonly hash4Tuple: number;
}

/**
 * IP fragment fields. Offsets and lengths are payload bytes (the kernel's ip_off is in 8-byte
 * units). A packet is a fragment iff moreFragments or offsetBytes != 0 (F-0).
 */
export interface FragmentFields {
  /** ip_id (v4) or the fragment header identification (v6). */
  readonly ipId: number;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly moreFragments: boolean;
  /**
   * Payload length of the original datagram the sender cut this fragment from; the payload
   * bytes derive from (flow, ipId, contentVersion, offset), see model/inet/payload.ts. Defaults to
   * the end of the fragment when absent.
   */
  readonly datagramBytes?: number;
  /** 0 (default): the sender's bytes; another value forges different bytes at the same offsets. */
  readonly contentVersion?: number;
}

/** One encapsulation layer around the inner packet (IPsec SA or tunnel), outermost first. */
export interface EncapLayer {
  readonly kind: 'esp' | 'ah' | 'ipcomp' | 'gif' | 'gre';
  /** The SPI for an SA, the tunnel's unit number for gif/gre. */
  readonly id: number;
}

/**
 * The mbuf/skb record the model moves around. Identity and flow fields never change; the hash
 * fields change when the stack rehashes in software (F-26), `netisrSource` when a protocol
 * re-injects with its own source (S-3: the SPI), `encap` when a layer is stripped (S-2, S-5).
 */
export interface Packet {
  readonly id: PacketId;
  readonly flow: Flow;
  /** Per-flow sequence number, in arrival order from 0. */
  readonly seq: number;
  readonly arrivedAtNs: VirtualNs;
  readonly rxRing: number;
  /** The CPU whose thread allocated the buffer (the ring's interrupt CPU). */
  readonly allocCpu: CpuId;
  readonly rcvifIndex: number;
  readonly fragment: FragmentFields | undefined;
  /** Bytes on the wire above the IP header (the datagram payload, or this fragment's piece). */
  readonly payloadBytes: number;
  /** The layers stripped off so far, outermost first: the policy's `encapDepth`. */
  encap: readonly EncapLayer[];
  hash: number;
  hashType: HashType;
  netisrSource: number;
}

/** `encap` of a packet no layer has been stripped from, shared: stripping replaces the array, never edits it. */
export const NO_ENCAP: readonly EncapLayer[] = Object.freeze([]);

export function isFragment(pkt: Pick<Packet, 'fragment'>): boolean {
  return pkt.fragment !== undefined && (pkt.fragment.moreFragments || pkt.fragment.offsetBytes !== 0);
}
