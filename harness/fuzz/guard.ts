import {
  type DispatchContext,
  type DispatchPolicy,
  instantiatePolicy,
  type PacketView,
  type PolicyFactory,
  type PolicyFactoryConfig,
  type PolicyFault,
  type PolicySource,
  policyFault,
} from '../../model/policy.ts';
import {
  DescribedThrow,
  describeThrown,
  describeValue,
  escapeControls,
} from '../../model/policy-describe.ts';
import type { PolicyErrorKind } from '../../model/trace.ts';
import { takeContainedFault } from './contain.ts';
import { CallKind, type Heartbeat } from './heartbeat.ts';

/**
 * Where an earlier attempt at the same run went wrong beyond recovery in the worker: the call with
 * this ordinal (factory = 0, then every place / tick in order) never returned (`timed-out`), or
 * the worker died in it (heap exhausted, exited) or deferred work set up in it threw later. The
 * replay answers that call with the fault.
 */
export interface StopAt {
  readonly callInRun: number;
  readonly kind: PolicyErrorKind;
  readonly message: string;
}

function isDispatchPolicy(x: unknown): x is DispatchPolicy {
  return typeof x === 'object' && x !== null && typeof (x as { place?: unknown }).place === 'function';
}

/** The policy's own name when it is a non-empty string; reading it may throw (a getter, a Proxy). */
function nameOf(inner: DispatchPolicy, fallbackName: string): { name: string; threw?: string } {
  try {
    const name: unknown = inner.name;
    // Cut and escaped: the name is printed in every report line about the policy.
    return {
      name: typeof name === 'string' && name !== '' ? escapeControls(name.slice(0, 80)) : fallbackName,
    };
  } catch (err) {
    return { name: fallbackName, threw: `reading its name threw ${describeThrown(err)}` };
  }
}

/**
 * A plain copy of an answer, read while the call still counts as the policy's (the watchdog sees a
 * getter that never returns). A thenable is passed on as it is: the model names it.
 */
function plainAnswer(answer: unknown): unknown {
  if (typeof answer !== 'object' || answer === null) return answer;
  const a = answer as { then?: unknown; cpu?: unknown; mode?: unknown };
  if (typeof a.then === 'function') return answer;
  return { cpu: a.cpu, mode: a.mode };
}

const isThenable = (x: unknown): boolean =>
  typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';

/** The factory's product, or why there is none. */
function instantiate(source: PolicySource, cfg: PolicyFactoryConfig): DispatchPolicy | Error {
  try {
    const made: unknown = instantiatePolicy(source, cfg);
    const fault = takeContainedFault();
    if (fault !== undefined) return fault;
    if (isDispatchPolicy(made)) return made;
    if (isThenable(made)) {
      return new Error(
        'the factory returned a Promise (an async factory?): want a DispatchPolicy returned, not promised',
      );
    }
    return new Error(`the factory returned ${describeValue(made)}, not a DispatchPolicy`);
  } catch (err) {
    return takeContainedFault() ?? new Error(`the factory threw ${describeThrown(err)}`);
  }
}

/**
 * Numbers the policy calls of one run (factory = 0) and says when the stop ordinal is reached;
 * from then on every call answers the fault (the policy was never asked again).
 */
class CallCounter {
  calls = 0;
  stopped = false;
  readonly #stopAt: StopAt | undefined;

  constructor(stopAt: StopAt | undefined) {
    this.#stopAt = stopAt;
  }

  /** A stop at the factory (call 0) is told to the first packet, not "not asked". */
  #factoryTold = false;

  reached(): boolean {
    const n = this.calls++;
    if (this.stopped) return true;
    if (this.#stopAt === undefined || n < this.#stopAt.callInRun) return false;
    this.stopped = true;
    return true;
  }

  /** The fault for a stopped call: the located one, or `not asked` for every later call. */
  fault(first: boolean): PolicyFault {
    const at = this.#stopAt;
    let message: string;
    if (at?.callInRun === 0) {
      message = this.#factoryTold
        ? `not asked: the policy was stopped in its factory (${at?.message})`
        : `its factory (cfg) => DispatchPolicy was stopped before this first packet: ${at?.message}`;
      this.#factoryTold = true;
    } else {
      message = first
        ? (at?.message ?? '')
        : `not asked: the policy was stopped at an earlier call (${at?.message})`;
    }
    return policyFault(at?.kind ?? 'timed-out', message);
  }
}

/** The factory call under the heartbeat: the policy, its name, or why it is unusable. */
function instantiateGuarded(
  source: PolicySource,
  cfg: PolicyFactoryConfig,
  fallbackName: string,
  beat: Heartbeat,
): { inner?: DispatchPolicy; name: string; pending?: Error } {
  beat.enter(CallKind.factory, 0);
  try {
    const made = instantiate(source, cfg);
    if (made instanceof Error) return { name: fallbackName, pending: made };
    const named = nameOf(made, fallbackName);
    return {
      inner: made,
      name: named.name,
      ...(named.threw === undefined ? {} : { pending: new Error(named.threw) }),
    };
  } finally {
    beat.leave();
  }
}

/**
 * Wraps a user's policy for one fuzz run so that whatever it does becomes a trace event, never a
 * crash: a factory that throws or returns a non-policy, a name getter that throws, a `tick` that
 * throws (each reported on the next packet), getters or Proxy traps on the answer, process.exit
 * or kill (contain.ts), and, on replay of a run the worker could not finish, the fault in place of
 * the call it happened in and of every later call (the policy was never asked again). Each call
 * reports itself to the heartbeat first, so the watchdog can name the packet it hangs on.
 */
export function guardPolicy(
  source: PolicySource,
  fallbackName: string,
  beat: Heartbeat,
  stopAt?: StopAt,
): PolicyFactory {
  return (cfg: PolicyFactoryConfig): DispatchPolicy => {
    const stop = new CallCounter(stopAt);
    /** A misbehaviour outside `place` (factory, name, tick), thrown on the next packet. */
    let pending: Error | undefined;
    const made = stop.reached()
      ? { name: fallbackName }
      : instantiateGuarded(source, cfg, fallbackName, beat);
    const inner = made.inner;
    const { name } = made;
    pending = made.pending;

    return {
      name,
      place(pkt: PacketView, ctx: DispatchContext) {
        const first = !stop.stopped;
        if (stop.reached()) throw stop.fault(first);
        if (pending !== undefined) {
          const why = pending;
          if (inner !== undefined) pending = undefined;
          throw why;
        }
        beat.enter(CallKind.place, stop.calls - 1, { id: pkt.id, flow: pkt.flow }, ctx.cpu);
        let answer: unknown;
        try {
          answer = plainAnswer((inner as DispatchPolicy).place(pkt, ctx));
        } catch (err) {
          // Described before the call leaves the watchdog's eye (DescribedThrow).
          throw takeContainedFault() ?? new DescribedThrow(describeThrown(err));
        } finally {
          beat.leave();
        }
        // An exit or kill the policy caught itself is charged all the same, as its own kind.
        const fault = takeContainedFault();
        if (fault !== undefined) throw fault;
        return answer as ReturnType<DispatchPolicy['place']>;
      },
      tick(ctx: DispatchContext) {
        let tick: unknown;
        try {
          tick = inner?.tick;
        } catch (err) {
          pending = new Error(`reading its tick threw ${describeThrown(err)}`);
          return;
        }
        if (typeof tick !== 'function' || stop.reached()) return;
        beat.enter(CallKind.tick, stop.calls - 1, undefined, ctx.cpu);
        try {
          tick.call(inner, ctx);
          pending = takeContainedFault() ?? pending;
        } catch (err) {
          pending =
            takeContainedFault() ??
            new Error(`tick() threw ${describeThrown(err)} (reported on the next packet)`);
        } finally {
          beat.leave();
        }
      },
    };
  };
}
