import { type HostConfig, kernelProtocols } from '../model/host/config.ts';
import { runHost } from '../model/host/run.ts';
import type { Workload } from '../model/host/workload.ts';
import { IP6_DIRECT_REGISTRATION } from '../model/inet/fragment.ts';
import { freebsdNetisrPolicy } from '../model/netisr/policies.ts';
import type { ProtocolRegistration } from '../model/netisr/protocols.ts';
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

/** The policy also knows ip6_direct where the kernel does not register it (the 2015 table). */
function withIp6Direct(base: readonly ProtocolRegistration[]): ProtocolRegistration[] {
  return base.some((r) => r.name === 'ip6_direct') ? [...base] : [...base, IP6_DIRECT_REGISTRATION];
}

/** Runs the kernel as registered (its own netisr placement and dispatch) with `variants` on. */
export function runReassembly(c: ReassemblyCase, variants: readonly ModelVariant[] = []): Trace {
  const base = kernelProtocols(c.config.kernel ?? 'freebsd', c.config.version);
  const dispatch = c.config.sysctl?.['net.isr.dispatch'] ?? 'direct';
  const r = unwrap(
    runHost({
      config: { ...c.config, variants: [...(c.config.variants ?? []), ...variants] },
      workload: c.workload,
      schedule: c.schedule,
      policy: freebsdNetisrPolicy({ protocols: withIp6Direct(base), dispatch }),
    }),
  );
  return r.trace;
}
