import type { FragmentFields } from '../packet.ts';
import type { FlowSpec } from '../rss/flowhash.ts';

/**
 * What the NIC receives, in order: packets of declared flows, pauses (the wire is idle for a
 * while, so timers can fire), and snapshot points (take `netstat -Q` and the stats here).
 */
export type WorkloadItem =
  | {
      readonly kind: 'packet';
      /** Index into `flows`. */
      readonly flow: number;
      readonly payloadBytes?: number;
      readonly fragment?: FragmentFields;
    }
  | { readonly kind: 'pause'; readonly ns: number }
  | { readonly kind: 'snapshot' };

export interface Workload {
  readonly flows: readonly FlowSpec[];
  readonly items: readonly WorkloadItem[];
}

/** Script-like text for reports: `arrive(flow 2)`, `pause(30000000000 ns)`, `snapshot()`. */
export function workloadItemLabel(item: WorkloadItem): string {
  switch (item.kind) {
    case 'packet':
      return item.fragment
        ? `arrive(flow ${item.flow}, frag id ${item.fragment.ipId} off ${item.fragment.offsetBytes} len ${item.fragment.lengthBytes}${item.fragment.moreFragments ? ' MF' : ''})`
        : `arrive(flow ${item.flow})`;
    case 'pause':
      return `pause(${item.ns} ns)`;
    case 'snapshot':
      return 'snapshot()';
  }
}

export const DEFAULT_PAYLOAD_BYTES = 64;
