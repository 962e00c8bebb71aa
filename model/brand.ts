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

export const cpuId = (n: number): CpuId => n as CpuId;
export const bucketId = (n: number): BucketId => n as BucketId;
export const virtualNs = (n: number): VirtualNs => n as VirtualNs;
export const packetId = (n: number): PacketId => n as PacketId;
export const flowId = (n: number): FlowId => n as FlowId;
export const threadId = (n: number): ThreadId => n as ThreadId;

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
