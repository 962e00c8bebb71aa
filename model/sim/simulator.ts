import { assert, type CpuId, type ThreadId, threadId, type VirtualNs, virtualNs } from '../brand.ts';
import { VirtualClock } from './clock.ts';
import { type Schedule, ScheduleCursor } from './schedule.ts';
import { TimerQueue } from './timers.ts';

/** What kind of kernel context a simulated thread stands for. */
export type ThreadKind = 'nic' | 'ithread' | 'netisr' | 'napi' | 'softirq' | 'user';

/**
 * Something the scheduler can step: a kernel thread bound to a CPU, or the NIC itself
 * (which is on no CPU: its step puts the next packet of the workload on an rx ring).
 * A step is bounded work, normally one packet; steps of different actors interleave.
 */
export interface Actor {
  readonly id: ThreadId;
  readonly name: string;
  readonly kind: ThreadKind;
  /** The CPU the thread is bound to; undefined for the NIC. */
  readonly cpu: CpuId | undefined;
  runnable(): boolean;
  step(): void;
}

export interface SimLimits {
  /** A run that takes more scheduling steps than this stops and reports a liveness violation. */
  readonly stepsMax: number;
  /** Virtual time one actor step takes. */
  readonly stepCostNs: number;
}

export type RunOutcome = 'quiescent' | 'steps-exhausted';

/**
 * The discrete-event core. At each scheduling point the runnable actors (in registration
 * order) are listed and the schedule picks one; when none is runnable the clock jumps to the
 * earliest timer. The run is quiescent when nothing is runnable and no timer is armed.
 * One switch-free loop: actors decide their own work, the core only orders it.
 */
export class Simulator {
  readonly clock = new VirtualClock();
  readonly timers = new TimerQueue<() => void>();
  readonly #actors: Actor[] = [];
  readonly #cursor: ScheduleCursor;
  readonly #limits: SimLimits;
  #steps = 0;

  constructor(schedule: Schedule, limits: SimLimits) {
    this.#cursor = new ScheduleCursor(schedule);
    this.#limits = limits;
  }

  get steps(): number {
    return this.#steps;
  }

  nextThreadId(): ThreadId {
    return threadId(this.#actors.length);
  }

  addActor(actor: Actor): void {
    assert(actor.id === this.#actors.length, 'sim: actor ids are dense and in registration order');
    this.#actors.push(actor);
  }

  get actors(): readonly Actor[] {
    return this.#actors;
  }

  /** Arms a callback at `atNs` on the virtual clock. */
  at(atNs: VirtualNs, fire: () => void): void {
    this.timers.arm(atNs, fire);
  }

  /**
   * Runs until quiescent, until `stepsMax` scheduling steps have been taken, or until `stop`
   * answers true (checked between steps; the trace recorder uses it when it is full).
   */
  run(stop: () => boolean = () => false): RunOutcome {
    // Refilled in place each step: emptying it with `length = 0` would drop its storage every time.
    const runnable: Actor[] = [];
    while (this.#steps < this.#limits.stepsMax && !stop()) {
      let count = 0;
      for (const actor of this.#actors) if (actor.runnable()) runnable[count++] = actor;
      const chosen = count > 0 ? runnable[this.#cursor.pick(count)] : undefined;
      if (chosen !== undefined) {
        this.#steps++;
        chosen.step();
        this.clock.advanceBy(this.#limits.stepCostNs);
        this.#fireDue();
        continue;
      }
      const next = this.timers.nextDeadlineNs();
      if (next === undefined) return 'quiescent';
      this.clock.advanceTo(virtualNs(Math.max(next, this.clock.nowNs)));
      this.#fireDue();
    }
    return 'steps-exhausted';
  }

  #fireDue(): void {
    if (!this.timers.hasDue(this.clock.nowNs)) return;
    for (const fire of this.timers.popDue(this.clock.nowNs)) fire();
  }
}
