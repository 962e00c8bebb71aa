import type { HostConfig } from '../model/host/config.ts';
import { runHost } from '../model/host/run.ts';
import type { Workload } from '../model/host/workload.ts';
import { IP6_DIRECT_REGISTRATION } from '../model/inet/fragment.ts';
import { freebsdNetisrPolicy } from '../model/netisr/policies.ts';
import { FREEBSD_PROTOCOLS, FREEBSD_RSS_PROTOCOLS } from '../model/netisr/protocols.ts';
import { unwrap } from '../model/result.ts';
import type { Schedule } from '../model/sim/schedule.ts';
import type { Trace } from '../model/trace.ts';
import type { ModelVariant } from '../model/variants.ts';

export { REASSEMBLY_PROPERTIES } from '../properties/reassembly-properties.ts';

/** One run of a reassembly scenario: what fast-check generates and regressions write by hand. */
export interface ReassemblyCase {
  readonly config: HostConfig;
  readonly workload: Workload;
  readonly schedule: Schedule;
}

/** Runs the kernel as registered (its own netisr placement and dispatch) with `variants` on. */
export function runReassembly(c: ReassemblyCase, variants: readonly ModelVariant[] = []): Trace {
  const base = c.config.kernel === 'freebsd-rss' ? FREEBSD_RSS_PROTOCOLS : FREEBSD_PROTOCOLS;
  const dispatch = c.config.sysctl?.['net.isr.dispatch'] ?? 'direct';
  const r = unwrap(
    runHost({
      config: { ...c.config, variants: [...(c.config.variants ?? []), ...variants] },
      workload: c.workload,
      schedule: c.schedule,
      policy: freebsdNetisrPolicy({ protocols: [...base, IP6_DIRECT_REGISTRATION], dispatch }),
    }),
  );
  return r.trace;
}
