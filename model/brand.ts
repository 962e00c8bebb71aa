/**
 * Branded primitives shared by every layer of the model. A brand is a compile-time tag only:
 * values are plain numbers at run time, parsed once at the boundary (see `cpuId`, `virtualNs`).
 */
export type Brand<T, B extends string> = T & { readonly __brand: B };

/** A CPU number, 0 .. cpuCount-1. */
export type CpuId = Brand<number, 'CpuId'>;
/** An RSS bucket index, 0 .. bucketCount-1. */
export type BucketId = Brand<number, 'BucketId'>;
/** Virtual time in integer nanoseconds (exact to about 104 days in a double). */
export type VirtualNs = Brand<number, 'VirtualNs'>;
/** A packet's identity within one run (dense, in arrival order). */
export type PacketId = Brand<number, 'PacketId'>;
/** A flow's identity within one workload. */
export type FlowId = Brand<number, 'FlowId'>;
/** A simulated kernel thread. */
export type ThreadId = Brand<number, 'ThreadId'>;

/** The most CPUs a run may have (MAXCPU of the kernels modelled; RSS_MAXCPUS is 64 too). */
const CPU_ID_LIMIT = 64;
/** Ids are dense small integers; virtual time is an integer ns count below 2^53 (style guide 1). */
const isIndex = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/**
 * Each brand is checked where it is made, so a NaN, a fraction or a negative id fails at the
 * boundary that produced it, not three layers later. A policy's answer never reaches these
 * unchecked: parsePlacement turns it into a PolicyError first.
 */
export function cpuId(n: number): CpuId {
  if (!isIndex(n) || n >= CPU_ID_LIMIT)
    throw new RangeError(`CPU id ${n}: want an integer 0..${CPU_ID_LIMIT - 1}`);
  return n as CpuId;
}
export function bucketId(n: number): BucketId {
  if (!isIndex(n)) throw new RangeError(`bucket index ${n}: want a non-negative integer`);
  return n as BucketId;
}
export function virtualNs(n: number): VirtualNs {
  if (!isIndex(n)) throw new RangeError(`virtual time ${n} ns: want a non-negative integer`);
  return n as VirtualNs;
}
export function packetId(n: number): PacketId {
  if (!isIndex(n)) throw new RangeError(`packet id ${n}: want a non-negative integer`);
  return n as PacketId;
}
export function flowId(n: number): FlowId {
  if (!isIndex(n)) throw new RangeError(`flow id ${n}: want a non-negative integer`);
  return n as FlowId;
}
export function threadId(n: number): ThreadId {
  if (!isIndex(n)) throw new RangeError(`thread id ${n}: want a non-negative integer`);
  return n as ThreadId;
}

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_SECOND = 1_000_000_000;

/**
 * Guards the model's own bookkeeping. The message opens with the rule id it protects
 * (e.g. `I-2: WMark below Len`). Rules that a pre-fix variant breaks on purpose are never asserted
 * here: they belong to the checkers in properties/, which return violations instead of throwing.
 */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`model invariant: ${message}`);
}

/** Exhaustiveness guard for switches over discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
