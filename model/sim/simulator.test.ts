import { describe, expect, it } from 'vitest';
import { type CpuId, cpuId, threadId, virtualNs } from '../brand.ts';
import { type Actor, Simulator } from './simulator.ts';

/** An actor with `work` steps to do; each step is logged with the virtual time it started at. */
function worker(
  sim: Simulator,
  name: string,
  work: number,
  log: string[],
  cpu: CpuId | undefined = cpuId(0),
) {
  const actor: Actor & { work: number } = {
    id: sim.nextThreadId(),
    name,
    kind: 'netisr',
    cpu,
    work,
    runnable: () => actor.work > 0,
    step: () => {
      actor.work--;
      log.push(`${name}@${sim.clock.nowNs}`);
    },
  };
  sim.addActor(actor);
  return actor;
}

describe('Simulator: the schedule orders the steps of runnable actors on one virtual clock', () => {
  it('picks among the runnable actors in registration order; each step costs stepCostNs', () => {
    const log: string[] = [];
    const sim = new Simulator([1, 0, 1], { stepsMax: 100, stepCostNs: 10 });
    worker(sim, 'a', 2, log);
    worker(sim, 'b', 2, log, undefined);
    expect(sim.actors.map((x) => x.name)).toEqual(['a', 'b']);
    expect(sim.run()).toBe('quiescent');
    // [a,b] pick 1 -> b; [a,b] pick 0 -> a; [a,b] pick 1 -> b; only a left.
    expect(log).toEqual(['b@0', 'a@10', 'b@20', 'a@30']);
    expect(sim.steps).toBe(4);
    expect(sim.clock.nowNs).toBe(40);
  });

  it('with nothing runnable, jumps to the earliest timer; timers fire after the step that reaches them', () => {
    const log: string[] = [];
    const sim = new Simulator([], { stepsMax: 100, stepCostNs: 10 });
    const a = worker(sim, 'a', 1, log);
    sim.at(virtualNs(1_000), () => {
      log.push(`timer@${sim.clock.nowNs}`);
      a.work = 1;
    });
    sim.at(virtualNs(5), () => log.push(`early@${sim.clock.nowNs}`));
    expect(sim.run()).toBe('quiescent');
    expect(log).toEqual(['a@0', 'early@10', 'timer@1000', 'a@1000']);
    expect(sim.clock.nowNs).toBe(1_010);
    expect(sim.steps).toBe(2);
    // A timer armed for a time already past fires now: the clock never runs backwards.
    sim.at(virtualNs(3), () => log.push(`late@${sim.clock.nowNs}`));
    expect(sim.run()).toBe('quiescent');
    expect(log.at(-1)).toBe('late@1010');
  });

  it('an idle jump to a timer consumes no schedule choice', () => {
    const log: string[] = [];
    const sim = new Simulator([0, 1], { stepsMax: 100, stepCostNs: 10 });
    const a = worker(sim, 'a', 1, log);
    const b = worker(sim, 'b', 0, log);
    sim.at(virtualNs(500), () => {
      a.work = 1;
      b.work = 1;
    });
    sim.run();
    // Choice 0 picks a; after the idle jump choice 1 picks b from [a, b].
    expect(log).toEqual(['a@0', 'b@500', 'a@510']);
  });

  it('stops at stepsMax (a liveness failure) and when `stop` says so', () => {
    const log: string[] = [];
    const sim = new Simulator([], { stepsMax: 3, stepCostNs: 1 });
    worker(sim, 'spin', 1_000, log);
    expect(sim.run()).toBe('steps-exhausted');
    expect(sim.steps).toBe(3);
    const stopped = new Simulator([], { stepsMax: 100, stepCostNs: 1 });
    worker(stopped, 'spin', 1_000, []);
    expect(stopped.run(() => stopped.steps >= 2)).toBe('steps-exhausted');
    expect(stopped.steps).toBe(2);
  });

  it('a run with no actors and no timers is quiescent at once; thread ids are dense', () => {
    const sim = new Simulator([], { stepsMax: 10, stepCostNs: 1 });
    expect(sim.nextThreadId()).toBe(threadId(0));
    expect(sim.run()).toBe('quiescent');
    expect(sim.clock.nowNs).toBe(0);
    worker(sim, 'a', 0, []);
    expect(sim.nextThreadId()).toBe(threadId(1));
  });
});
