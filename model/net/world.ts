import { type VirtualNs, virtualNs } from '../brand.ts';
import { VirtualClock } from '../sim/clock.ts';
import { type TimerHandle, TimerQueue } from '../sim/timers.ts';
import { ShmifBus } from './bus.ts';

/** Virtual time a frame takes from one shmif to the others (a memory write and a wakeup). */
export const BUS_LATENCY_NS = 10_000;
/** Virtual time from an output on lo0 to the input (looutput -> ipintrq). */
export const LOOP_LATENCY_NS = 1_000;

/** A seeded xorshift32 stream standing in for cprng_fast32(): same seed, same run. */
export class SeededRandom {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }
  next32(): number {
    let x = this.#state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }
  /** An integer in 0 .. bound-1. */
  below(bound: number): number {
    return bound <= 0 ? 0 : this.next32() % bound;
  }
}

/**
 * The world the hosts live in: one virtual clock, one timer queue for every callout of every
 * host, the shmif buses, and a seeded random stream. Time moves only through `runFor` and
 * `runUntil`, so a 10 s sleep of an ATF case costs only the events inside it.
 */
export class NetWorld {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly #timers = new TimerQueue<() => void>();
  readonly #buses = new Map<string, ShmifBus>();
  #nextMacSerial = 1;
  /** Bound on callouts fired by one run call: a runaway timer loop is a bug, not a hang. */
  readonly eventsPerRunMax = 1_000_000;

  constructor(seed = 1) {
    this.random = new SeededRandom(seed);
  }

  get nowNs(): VirtualNs {
    return this.clock.nowNs;
  }

  bus(name: string): ShmifBus {
    let bus = this.#buses.get(name);
    if (bus === undefined) {
      bus = new ShmifBus(name);
      this.#buses.set(name, bus);
    }
    return bus;
  }

  /** A fresh serial for generated link addresses (shmif draws them from cprng). */
  nextMacSerial(): number {
    return this.#nextMacSerial++;
  }

  after(delayNs: number, fire: () => void): TimerHandle {
    return this.#timers.arm(virtualNs(this.clock.nowNs + Math.max(0, Math.round(delayNs))), fire);
  }

  cancel(handle: TimerHandle): void {
    this.#timers.cancel(handle);
  }

  /** Fires every callout due up to now + deltaNs, then sets the clock there. */
  runFor(deltaNs: number): void {
    this.#runTo(virtualNs(this.clock.nowNs + Math.round(deltaNs)), () => false);
  }

  /** Runs until `done()` holds (checked after each callout) or `deltaNs` passes. */
  runUntil(done: () => boolean, deltaNs: number): boolean {
    if (done()) return true;
    return this.#runTo(virtualNs(this.clock.nowNs + Math.round(deltaNs)), done);
  }

  #runTo(endNs: VirtualNs, done: () => boolean): boolean {
    let fired = 0;
    for (;;) {
      // A callout loop that never lets time reach endNs is a model bug: say so, never spin.
      if (fired >= this.eventsPerRunMax)
        throw new Error(`model invariant: over ${this.eventsPerRunMax} callouts in one run`);
      const next = this.#timers.nextDeadlineNs();
      if (next === undefined || next > endNs) break;
      this.clock.advanceTo(virtualNs(Math.max(next, this.clock.nowNs)));
      // Callouts due at the same instant fire together, in the order they were armed.
      const due = this.#timers.popDue(this.clock.nowNs);
      for (const fire of due) fire();
      fired += due.length;
      if (done()) return true;
    }
    this.clock.advanceTo(endNs);
    return done();
  }
}
