import { describe, expect, it } from 'vitest';
import { cpuId, packetId } from './brand.ts';
import { DEFAULT_RUN_LIMITS } from './host/knobs.ts';
import { RxRing } from './host/nic.ts';
import { Machine, type MachineEnd } from './machine.ts';
import { defaultBucketTable } from './rss/buckets.ts';
import type { EndEvent, TraceEvent } from './trace.ts';

const header = { os: 'freebsd', version: 'freebsd-14', config: 'GENERIC', rules: [] } as const;

function end(over: Partial<MachineEnd> = {}): MachineEnd & { snapshots: boolean[] } {
  const snapshots: boolean[] = [];
  return {
    busyCpus: () => [],
    pendingPackets: () => 0,
    snapshot: (q) => void snapshots.push(q),
    snapshots,
    ...over,
  };
}

const lastOf = (t: readonly TraceEvent[]) => t.at(-1) as EndEvent;

describe('the machine every simulated kernel is built from', () => {
  it('opens the trace with the kernel it boots, at time 0, and ends quiescent with nothing to run', () => {
    const m = new Machine([], DEFAULT_RUN_LIMITS, header);
    const e = end({ busyCpus: () => [cpuId(1)], pendingPackets: () => 3 });
    const t = m.run(e);
    expect(t[0]).toEqual({ kind: 'kernel', atNs: 0, ...header });
    expect(lastOf(t)).toEqual({
      kind: 'end',
      atNs: 0,
      outcome: 'quiescent',
      steps: 0,
      busyCpus: [1],
      pendingPackets: 3,
    });
    expect(e.snapshots).toEqual([true]);
  });

  it('a kernel stack records each new deepest call chain on its thread, with the stack size', () => {
    const m = new Machine([], DEFAULT_RUN_LIMITS, header);
    const stack = m.kernelStack(cpuId(1), 4096, [{ frame: 'fork_exit', frameBytes: 64 }]);
    expect([stack.thread, stack.cpu]).toEqual([0, 1]);
    stack.execute({ frame: 'ip_input', frameBytes: 100, run: () => [] }, packetId(7));
    m.recordCounters(false, [], { ips_total: 1 });
    const t = m.run(end());
    expect(t.slice(1, 3)).toEqual([
      {
        kind: 'stack',
        atNs: 0,
        thread: 0,
        cpu: 1,
        depthBytes: 164,
        kstackBytes: 4096,
        frames: 'fork_exit>ip_input',
        pkt: 7,
      },
      { kind: 'counters', atNs: 0, quiescent: false, netisr: [], stats: { ips_total: 1 } },
    ]);
  });

  it('runs the NIC as its first actor; a pause keeps the run alive on the clock until the wire is busy again', () => {
    const m = new Machine([], { ...DEFAULT_RUN_LIMITS, stepCostNs: 10 }, header);
    const ring = new RxRing(0, cpuId(0), 8);
    const nic = m.addNic({
      flows: [],
      workload: { flows: [], items: [{ kind: 'pause', ns: 1000 }, { kind: 'snapshot' }] },
      rings: [ring],
      rss: false,
      buckets: defaultBucketTable(1),
      hashConfig: { udp4Tuple: false },
      rcvifIndex: 1,
      onArrival: () => undefined,
      onSnapshot: () => m.recordCounters(false, [], {}),
    });
    expect([nic.id, m.sim.actors[0]]).toEqual([0, nic]);
    const t = m.run(end({ pendingPackets: () => nic.pendingItems }));
    // The pause is taken at time 0 and ends 1000 ns later; then one more step of 10 ns.
    expect(t.find((e) => e.kind === 'counters' && !e.quiescent)?.atNs).toBe(1000);
    expect(lastOf(t)).toMatchObject({ outcome: 'quiescent', steps: 2, atNs: 1010, pendingPackets: 0 });
  });

  it('a run cut by stepsMax or a full trace says so, and its last snapshot is not quiescent', () => {
    const spin = (m: Machine) =>
      m.sim.addActor({
        id: m.sim.nextThreadId(),
        name: 'spin',
        kind: 'user',
        cpu: cpuId(0),
        runnable: () => true,
        step: () => m.recordCounters(false, [], {}),
      });
    const steps = new Machine([], { ...DEFAULT_RUN_LIMITS, stepsMax: 3 }, header);
    spin(steps);
    const e = end();
    expect(lastOf(steps.run(e))).toMatchObject({ outcome: 'steps-exhausted', steps: 3 });
    expect(e.snapshots).toEqual([false]);
    const full = new Machine([], { ...DEFAULT_RUN_LIMITS, traceEventsMax: 4 }, header);
    spin(full);
    const f = end();
    const t = full.run(f);
    // The kernel event and three snapshots fill it; the fourth step finds it full and stops the run.
    expect(lastOf(t)).toMatchObject({ outcome: 'trace-full', steps: 4 });
    expect(t).toHaveLength(5);
    expect(f.snapshots).toEqual([false]);
  });
});
