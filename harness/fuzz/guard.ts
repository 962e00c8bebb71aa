import {
  type DispatchContext,
  type DispatchPolicy,
  instantiatePolicy,
  type PacketView,
  type PolicyFactory,
  type PolicyFactoryConfig,
  type PolicySource,
  policyFault,
} from '../../model/policy.ts';
import { describeThrown, describeValue, escapeControls } from '../../model/policy-describe.ts';
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

/** The factory's product, or why there is none. */
function instantiate(source: PolicySource, cfg: PolicyFactoryConfig): DispatchPolicy | Error {
  try {
    const made: unknown = instantiatePolicy(source, cfg);
    const fault = takeContainedFault();
    if (fault !== undefined) return fault;
    if (isDispatchPolicy(made)) return made;
    return new Error(`the factory returned ${describeValue(made)}, not a DispatchPolicy`);
  } catch (err) {
    return takeContainedFault() ?? new Error(`the factory threw ${describeThrown(err)}`);
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
    let calls = 0;
    /** Set once the stop ordinal is reached: every call from then on answers the fault. */
    let stopped = false;
    /** A misbehaviour outside `place` (factory, name, tick), thrown on the next packet. */
    let pending: Error | undefined;

    const reachedStop = (): boolean => {
      const n = calls++;
      if (stopped) return true;
      if (stopAt === undefined || n < stopAt.callInRun) return false;
      stopped = true;
      return true;
    };
    const stopFault = (first: boolean) =>
      policyFault(
        stopAt?.kind ?? 'timed-out',
        first
          ? (stopAt?.message ?? '')
          : `not asked: the policy was stopped at an earlier call (${stopAt?.message})`,
      );

    let inner: DispatchPolicy | undefined;
    let name = fallbackName;
    if (!reachedStop()) {
      beat.enter(CallKind.factory, 0);
      const made = instantiate(source, cfg);
      if (made instanceof Error) pending = made;
      else {
        inner = made;
        const named = nameOf(made, fallbackName);
        name = named.name;
        if (named.threw !== undefined) pending = new Error(named.threw);
      }
      beat.leave();
    }

    return {
      name,
      place(pkt: PacketView, ctx: DispatchContext) {
        const first = !stopped;
        if (reachedStop()) throw stopFault(first && stopped);
        if (pending !== undefined) {
          const why = pending;
          if (inner !== undefined) pending = undefined;
          throw why;
        }
        beat.enter(CallKind.place, calls - 1, { id: pkt.id, flow: pkt.flow }, ctx.cpu);
        try {
          const answer = plainAnswer((inner as DispatchPolicy).place(pkt, ctx));
          const fault = takeContainedFault();
          if (fault !== undefined) throw fault;
          return answer as ReturnType<DispatchPolicy['place']>;
        } catch (err) {
          throw takeContainedFault() ?? err;
        } finally {
          beat.leave();
        }
      },
      tick(ctx: DispatchContext) {
        let tick: unknown;
        try {
          tick = inner?.tick;
        } catch (err) {
          pending = new Error(`reading its tick threw ${describeThrown(err)}`);
          return;
        }
        if (typeof tick !== 'function' || reachedStop()) return;
        beat.enter(CallKind.tick, calls - 1, undefined, ctx.cpu);
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
