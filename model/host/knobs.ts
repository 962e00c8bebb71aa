import type { KnobSpec } from '../knobs.ts';

/** Machine-level knobs of a simulated FreeBSD host. */
export const hostKnobs = {
  'hw.ix.rxd': {
    default: 2048,
    min: 1,
    max: 65536,
    unit: 'descriptors',
    source: 'sys/dev/ixgbe/if_ix.c ixgbe_rxd (DEFAULT_RXD): rx ring size; a full ring drops at the NIC',
  },
  'kern.kstack_pages': {
    default: 4,
    min: 1,
    max: 16,
    unit: 'pages',
    source: 'sys/amd64/include/param.h KSTACK_PAGES (amd64 4, i386 2)',
  },
  'hw.pagesize': {
    default: 4096,
    min: 1024,
    max: 65536,
    unit: 'bytes',
    source: 'sys/x86/include/param.h PAGE_SIZE',
  },
} as const satisfies Record<string, KnobSpec>;

/** Run limits: every run is bounded; passing a limit is a liveness violation, never a hang. */
export interface RunLimits {
  /** Scheduling steps before the run is cut off. */
  readonly stepsMax: number;
  /** Trace events before the run is cut off. */
  readonly traceEventsMax: number;
  /** Virtual time one thread step takes. */
  readonly stepCostNs: number;
  /** Arrivals between two calls of a policy's `tick`. */
  readonly policyTickPackets: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = {
  stepsMax: 1_000_000,
  traceEventsMax: 2_000_000,
  stepCostNs: 1_000,
  policyTickPackets: 64,
};
