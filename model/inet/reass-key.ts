import type { Flow, FragmentFields } from '../packet.ts';

/**
 * The identity of a datagram under reassembly (F-2): IPv4 keys on (src, dst, id, protocol)
 * (ip_reass.c), IPv6 on (src, dst, id) (frag6.c; the next header is not part of it, RFC 8200).
 */
export interface DatagramKey {
  readonly family: 'inet' | 'inet6';
  readonly src: readonly number[];
  readonly dst: readonly number[];
  readonly srcText: string;
  readonly dstText: string;
  readonly ipId: number;
  /** ip_p; undefined for IPv6, and for the pre-fix key that forgot it. */
  readonly ipProto: number | undefined;
}

/** The key FreeBSD uses; `withoutProto` is the broken v4 key (variant reass-key-without-proto). */
export function datagramKey(flow: Flow, fragment: FragmentFields, withoutProto = false): DatagramKey {
  const v4 = flow.family === 'inet';
  return {
    family: flow.family,
    src: flow.src,
    dst: flow.dst,
    srcText: flow.srcText,
    dstText: flow.dstText,
    ipId: fragment.ipId,
    ipProto: v4 && !withoutProto ? flow.ipProto : undefined,
  };
}

/** `inet 10.0.0.1>10.1.0.1 p17 id 7`, `inet6 2001:db8::1>2001:db8::2 id 7`. */
export function datagramKeyText(key: DatagramKey): string {
  const proto = key.ipProto === undefined ? '' : ` p${key.ipProto}`;
  return `${key.family} ${key.srcText}>${key.dstText}${proto} id ${key.ipId}`;
}

export function sameKey(a: DatagramKey, b: DatagramKey): boolean {
  return (
    a.ipId === b.ipId &&
    a.ipProto === b.ipProto &&
    a.family === b.family &&
    sameBytes(a.src, b.src) &&
    sameBytes(a.dst, b.dst)
  );
}

/** Addresses of one family (sameKey compares the families first), so of one length. */
function sameBytes(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Big-endian 32-bit words of an address (4 for IPv6, 1 for IPv4). */
function words(bytes: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    out.push(
      (((bytes[i] ?? 0) << 24) |
        ((bytes[i + 1] ?? 0) << 16) |
        ((bytes[i + 2] ?? 0) << 8) |
        (bytes[i + 3] ?? 0)) >>>
        0,
    );
  }
  return out;
}

/**
 * F-1: the reassembly hash bucket, jenkins_hash32 over the key words with a per-VNET seed
 * (arc4random in the kernel; a fixed knob here so runs replay), masked by the table size.
 * v4 words: src, dst, (proto << 16) + id; v6: src, dst, id.
 */
export function reassBucketOf(key: DatagramKey, seed: number, hashsize: number): number {
  // The IPv6 key has no protocol, so its last word is the id alone.
  const tail = (((key.ipProto ?? 0) << 16) + key.ipId) >>> 0;
  return jenkinsHash32([...words(key.src), ...words(key.dst), tail], seed) & (hashsize - 1);
}

const rot = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Bob Jenkins' lookup3 hashword (sys/sys/jenkins_hash.h jenkins_hash32). */
export function jenkinsHash32(key: readonly number[], seed: number): number {
  let a = (0xdeadbeef + (key.length << 2) + seed) >>> 0;
  let b = a;
  let c = a;
  let i = 0;
  let n = key.length;
  for (; n > 3; n -= 3, i += 3) {
    a = (a + (key[i] ?? 0)) >>> 0;
    b = (b + (key[i + 1] ?? 0)) >>> 0;
    c = (c + (key[i + 2] ?? 0)) >>> 0;
    a = (a - c) >>> 0;
    a = (a ^ rot(c, 4)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rot(a, 6)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rot(b, 8)) >>> 0;
    b = (b + a) >>> 0;
    a = (a - c) >>> 0;
    a = (a ^ rot(c, 16)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rot(a, 19)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rot(b, 4)) >>> 0;
    b = (b + a) >>> 0;
  }
  if (n === 0) return c;
  // The tail's 1 to 3 words; an absent word adds 0, as the kernel's fall-through switch skips it.
  c = (c + (key[i + 2] ?? 0)) >>> 0;
  b = (b + (key[i + 1] ?? 0)) >>> 0;
  a = (a + (key[i] ?? 0)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 24)) >>> 0;
  return c;
}
