import { type CpuId, cpuId } from '../brand.ts';
import { freebsdRuleNames } from '../kernels.ts';
import { Netisr } from '../netisr/netisr.ts';
import { NetisrThread } from '../netisr/swi.ts';
import type { DispatchPolicy } from '../policy.ts';
import type { KernelStack } from '../sim/kthread.ts';
import type { Simulator } from '../sim/simulator.ts';
import type { KernelEvent, TraceRecorder } from '../trace.ts';
import type { ResolvedHostConfig } from './config.ts';
import { InterruptThread, RxRing } from './nic.ts';

/** What every simulated FreeBSD host boots with, whatever it runs on top. */
export interface BootEnv {
  readonly cfg: ResolvedHostConfig;
  readonly sim: Simulator;
  readonly trace: TraceRecorder;
  readonly frameBytes: (frame: string) => number;
  /** A fresh kernel stack for a new thread on `cpu` (its kind names the thread in traces). */
  readonly stackOf: (cpu: CpuId, kind: 'ithread' | 'swi') => KernelStack;
}

/**
 * netisr_init / netisr_start: the protocol table, a workstream per CPU, and a SWI thread on each
 * CPU that has one (nws_array), added to the simulator after everything already there.
 */
export function bootNetisr(env: BootEnv, policy: DispatchPolicy): Netisr {
  const { cfg, sim, trace } = env;
  return new Netisr({
    cpuCount: cfg.cpuCount,
    workstreamCpus: cfg.workstreamCpus,
    protocols: cfg.protocols,
    buckets: cfg.buckets,
    policy,
    clock: sim.clock,
    trace,
    variants: cfg.variants,
    frameBytes: env.frameBytes,
  });
}

/** The kernel a FreeBSD host boots, as the trace's first event names it (Machine). */
export function freebsdKernelHeader(cfg: ResolvedHostConfig): Omit<KernelEvent, 'kind' | 'atNs'> {
  return {
    os: 'freebsd',
    version: cfg.version,
    config: cfg.kernel === 'freebsd-rss' ? 'RSS' : 'GENERIC',
    rules: freebsdRuleNames(cfg.version),
  };
}

/** The SWI threads of the workstreams that have one (netisr_start_swi). */
export function startNetisrThreads(env: BootEnv, netisr: Netisr): void {
  const { cfg, sim, trace } = env;
  for (const ws of netisr.workstreams) {
    if (!ws.hasThread) continue;
    const swiEnv = { trace, clock: sim.clock, variants: cfg.variants };
    sim.addActor(new NetisrThread(ws, netisr, env.stackOf(ws.cpu, 'swi'), swiEnv));
  }
}

/** The rx rings of the NIC (hw.ix.rxd descriptors each) on their interrupt CPUs. */
export function rxRings(cfg: ResolvedHostConfig): RxRing[] {
  return cfg.ringCpus.map((cpu, i) => new RxRing(i, cpu, cfg.sysctl['hw.ix.rxd']));
}

/**
 * lagg0's standby port, when the workload fails over to it: as many rings as the first port, each
 * interrupting the CPU after its twin's, so a flow moved by the failover enters on another CPU.
 */
export function standbyRings(cfg: ResolvedHostConfig): RxRing[] {
  const n = cfg.ringCpus.length;
  return cfg.ringCpus.map(
    (cpu, i) => new RxRing(n + i, cpuId((cpu + 1) % cfg.cpuCount), cfg.sysctl['hw.ix.rxd']),
  );
}

/** One interrupt thread per ring, bound to the ring's CPU, handing each packet to `rxeof`. */
export function startInterruptThreads(
  env: BootEnv,
  rings: readonly RxRing[],
  rxeof: ConstructorParameters<typeof InterruptThread>[2],
): void {
  for (const ring of rings)
    env.sim.addActor(new InterruptThread(ring, env.stackOf(ring.cpu, 'ithread'), rxeof));
}
