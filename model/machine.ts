import { type CpuId, type ThreadId, virtualNs } from './brand.ts';
import type { RunLimits } from './host/knobs.ts';
import { Nic, type NicSetup } from './host/nic.ts';
import { type BaseFrame, KernelStack } from './sim/kthread.ts';
import type { Schedule } from './sim/schedule.ts';
import { Simulator } from './sim/simulator.ts';
import { StatCounters } from './stats.ts';
import { type KernelEvent, type NetisrWorkRow, type Trace, TraceRecorder } from './trace.ts';

/** What a kernel tells the kit about itself at the end of a run. */
export interface MachineEnd {
  /** CPUs whose threads still had work when the run stopped. */
  readonly busyCpus: () => readonly CpuId[];
  /** Packets not yet received (workload items left, and what the kernel holds outside its queues). */
  readonly pendingPackets: () => number;
  /** The final counter snapshot; `quiescent` when the run ended with nothing runnable. */
  readonly snapshot: (quiescent: boolean) => void;
}

/**
 * The parts every simulated machine is built from, whichever kernel runs on it: the simulator
 * (virtual clock, schedule, timers), the trace recorder, the named counters, the NIC and the
 * kernel stacks of its threads, and the run-to-end step. A kernel (FreeBSD host, IPsec gateway,
 * Linux host) composes one and plugs in its protocol handlers, threads and counter snapshots.
 */
export class Machine {
  readonly sim: Simulator;
  readonly trace: TraceRecorder;
  readonly stats = new StatCounters();

  /** The trace opens with the kernel the machine boots: OS, version, configuration, versioned rules. */
  constructor(schedule: Schedule, limits: RunLimits, kernel: Omit<KernelEvent, 'kind' | 'atNs'>) {
    this.sim = new Simulator(schedule, limits);
    this.trace = new TraceRecorder(limits.traceEventsMax);
    this.trace.record({ kind: 'kernel', atNs: virtualNs(this.sim.clock.nowNs), ...kernel });
  }

  /** The NIC, with the next thread id, wired to this machine's trace, clock and counters. */
  addNic(setup: Omit<NicSetup, 'id' | 'trace' | 'clock' | 'stats' | 'wakeAt'>): Nic {
    // Spelled out, not spread: a spread plus added fields builds the object key by key.
    const nic = new Nic({
      id: this.sim.nextThreadId(),
      flows: setup.flows,
      workload: setup.workload,
      rings: setup.rings,
      rss: setup.rss,
      buckets: setup.buckets,
      hashConfig: setup.hashConfig,
      rcvifIndex: setup.rcvifIndex,
      trace: this.trace,
      clock: this.sim.clock,
      stats: this.stats,
      onArrival: setup.onArrival,
      onSnapshot: setup.onSnapshot,
      // A pause keeps the run alive until the wire is busy again.
      wakeAt: (atNs) => this.sim.at(virtualNs(atNs), () => undefined),
      bucketCpuPromise: setup.bucketCpuPromise,
      wrongRing: setup.wrongRing,
      standbyRings: setup.standbyRings,
      tun: setup.tun,
      cpuCount: setup.cpuCount,
    });
    this.sim.addActor(nic);
    return nic;
  }

  /** A new thread's kernel stack on `cpu`, recording each new high-water mark as a `stack` event. */
  kernelStack(cpu: CpuId, kstackBytes: number, base: readonly BaseFrame[] = []): KernelStack {
    const thread: ThreadId = this.sim.nextThreadId();
    return new KernelStack(
      thread,
      cpu,
      (depthBytes, frames, pkt) => {
        this.trace.record({
          kind: 'stack',
          atNs: this.sim.clock.nowNs,
          thread,
          cpu,
          depthBytes,
          kstackBytes,
          frames: frames.join('>'),
          pkt,
        });
      },
      base,
    );
  }

  /** A `counters` event: netstat -Q rows (none on Linux) and the named counters. */
  recordCounters(
    quiescent: boolean,
    netisr: readonly NetisrWorkRow[],
    stats: Readonly<Record<string, number>>,
  ): void {
    this.trace.record({ kind: 'counters', atNs: this.sim.clock.nowNs, quiescent, netisr, stats });
  }

  /** Runs until quiescent, stuck, over a limit or the trace is full; then the last snapshot and `end`. */
  run(end: MachineEnd): Trace {
    const outcome = this.sim.run(() => this.trace.full);
    const pendingPackets = end.pendingPackets();
    end.snapshot(outcome === 'quiescent');
    return this.trace.finish({
      kind: 'end',
      atNs: virtualNs(this.sim.clock.nowNs),
      outcome: this.trace.full ? 'trace-full' : outcome,
      steps: this.sim.steps,
      busyCpus: [...end.busyCpus()],
      pendingPackets,
    });
  }
}
