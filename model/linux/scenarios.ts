import { udpFlow } from '../host/scenario.ts';
import type { Workload, WorkloadItem } from '../host/workload.ts';
import type { PolicySource } from '../policy.ts';
import { unwrap } from '../result.ts';
import { type FlowSpec, makeFlow } from '../rss/flowhash.ts';
import type { Schedule } from '../sim/schedule.ts';
import type { ModelVariant } from '../variants.ts';
import type { LinuxHostConfig } from './config.ts';
import { type LinuxRunResult, runLinux } from './host.ts';

/**
 * Small builders for hand-written Linux scenarios (tests, regressions, the bench): flows to a port,
 * bursts of packets, and a run that must be accepted.
 */
export const UDP_PORT = 5000;

/** Unicast UDP flow `i` to `port` on the host. */
export function udpTo(i: number, port = UDP_PORT): FlowSpec {
  return udpFlow(i, port);
}

/** A unicast UDP flow the NIC puts on `ring` of `rings` (redirection entry hash & 127, i % rings). */
export function udpOnRing(ring: number, rings: number, port = UDP_PORT): FlowSpec {
  for (let i = 0; i < 10_000; i++) {
    // udpTo builds well-formed flows only, so makeFlow never refuses one.
    const flow = unwrap(makeFlow(i, udpTo(i, port)));
    if ((flow.hash4Tuple & 127) % rings === ring) return udpTo(i, port);
  }
  throw new Error(`no flow found for ring ${ring}`);
}

/** A multicast UDP flow from source `i` to `group`:`port`. */
export function udpToGroup(i: number, group: string, port: number): FlowSpec {
  return { ...udpFlow(i, port), dst: group };
}

/** `count` packets cycling over `flows` flow indexes. */
export function burst(count: number, flows: readonly number[] = [0], payloadBytes = 64): WorkloadItem[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'packet' as const,
    flow: flows[i % flows.length] ?? 0,
    payloadBytes,
  }));
}

export interface LinuxScenario {
  readonly config: LinuxHostConfig;
  readonly workload: Workload;
  readonly schedule?: Schedule;
  readonly policy?: PolicySource;
}

/** Runs a scenario (with `variants` added); a refused configuration is a bug in the scenario. */
export function runScenario(s: LinuxScenario, variants: readonly ModelVariant[] = []): LinuxRunResult {
  const config = { ...s.config, variants: [...(s.config.variants ?? []), ...variants] };
  return unwrap(runLinux({ ...s, config, schedule: s.schedule ?? [] }));
}
