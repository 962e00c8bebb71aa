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
      /** Written to tun0 by the writer thread (tunwrite -> netisr_dispatch on its CPU), not received. */
      readonly via?: 'tun0';
    }
  | { readonly kind: 'pause'; readonly ns: number }
  | { readonly kind: 'snapshot' }
  | MoveItem;

/**
 * Events that make one flow enter the stack on another CPU while its earlier packets may still be
 * queued: `ethtool -X` rotating the NIC redirection table by `rotateRings` rings (RSS bucket
 * moves), the tun0 writer thread migrating to `cpu`, a lagg/bond failover to the other port (whose
 * rings interrupt other CPUs). Packets already on a ring stay where they are.
 */
export type MoveItem =
  | { readonly kind: 'retable'; readonly rotateRings: number }
  | { readonly kind: 'migrate'; readonly cpu: number }
  | { readonly kind: 'failover' };

export interface Workload {
  readonly flows: readonly FlowSpec[];
  readonly items: readonly WorkloadItem[];
}

/** Script-like text for reports: `arrive(flow 2)`, `pause(30000000000 ns)`, `snapshot()`. */
export function workloadItemLabel(item: WorkloadItem): string {
  switch (item.kind) {
    case 'packet':
      if (item.via !== undefined) return `write(${item.via}, flow ${item.flow})`;
      return item.fragment
        ? `arrive(flow ${item.flow}, frag id ${item.fragment.ipId} off ${item.fragment.offsetBytes} len ${item.fragment.lengthBytes}${item.fragment.moreFragments ? ' MF' : ''})`
        : `arrive(flow ${item.flow})`;
    case 'pause':
      return `pause(${item.ns} ns)`;
    case 'snapshot':
      return 'snapshot()';
    case 'retable':
      return `ethtool -X rotate ${item.rotateRings}`;
    case 'migrate':
      return `migrate(tun0 writer -> cpu ${item.cpu})`;
    case 'failover':
      return 'failover(lagg0)';
  }
}

export const DEFAULT_PAYLOAD_BYTES = 64;
