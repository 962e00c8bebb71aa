/**
 * The package's public types and values for policy authors:
 *
 *   import type { DispatchPolicy, PacketView, DispatchContext } from 'netstack-conformance';
 *
 * A policy file needs nothing else; `npx netstack-conformance fuzz ./my-policy.ts` judges it.
 */
export type { BucketId, CpuId, FlowId, PacketId, VirtualNs } from './model/brand.ts';
export { cpuId } from './model/brand.ts';
export type {
  DispatchContext,
  DispatchPolicy,
  PacketView,
  Placement,
  PlacementMode,
  PolicyFactory,
  PolicyFactoryConfig,
  PolicySource,
  SoftnetView,
} from './model/policy.ts';
export type { PolicyErrorKind } from './model/trace.ts';
