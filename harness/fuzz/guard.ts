import {
  type DispatchContext,
  type DispatchPolicy,
  instantiatePolicy,
  type PacketView,
  type PolicyFactory,
  type PolicyFactoryConfig,
  type PolicySource,
  PolicyTimedOut,
} from '../../model/policy.ts';
import { CallKind, type Heartbeat } from './heartbeat.ts';

/**
 * Where the watchdog stopped the policy in an earlier attempt at the same run: the call with this
 * ordinal (factory = 0, then every place / tick in order) never returned.
 */
export interface StopAt {
  readonly callInRun: number;
  readonly timeoutMs: number;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function describeValue(x: unknown): string {
  if (x === null || typeof x !== 'object') return String(x);
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return Object.prototype.toString.call(x);
  }
}

function isDispatchPolicy(x: unknown): x is DispatchPolicy {
  return typeof x === 'object' && x !== null && typeof (x as { place?: unknown }).place === 'function';
}

/**
 * Wraps a user's policy for one fuzz run so that whatever it does becomes a trace event, never a
 * crash: a factory that throws or returns a non-policy, a `tick` that throws (reported on the next
 * packet), and, on replay of a run the watchdog stopped, `PolicyTimedOut` in place of the call that
 * never returned and of every later call (the stuck policy was never asked again). Each call
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
    /** Why every call from now on answers `timed-out` (set once the stop ordinal is reached). */
    let stopped: string | undefined;
    /** A misbehaviour outside `place` (factory, tick), reported as `threw` on the next packet. */
    let pending: string | undefined;
    const seconds = `${(stopAt?.timeoutMs ?? 0) / 1000} s`;

    const reachedStop = (what: string): boolean => {
      const n = calls++;
      if (stopped !== undefined) return true;
      if (stopAt === undefined || n < stopAt.callInRun) return false;
      stopped = `not asked: the policy stopped answering in ${what} (no answer within ${seconds})`;
      return true;
    };

    let inner: DispatchPolicy | undefined;
    if (reachedStop('its factory')) {
      pending = undefined;
    } else {
      beat.enter(CallKind.factory, 0);
      try {
        const made: unknown = instantiatePolicy(source, cfg);
        if (isDispatchPolicy(made)) inner = made;
        else pending = `the factory returned ${describeValue(made)}, not a DispatchPolicy`;
      } catch (err) {
        pending = `the factory threw ${errorText(err)}`;
      } finally {
        beat.leave();
      }
    }
    const name = typeof inner?.name === 'string' && inner.name !== '' ? inner.name : fallbackName;

    const guarded: DispatchPolicy = {
      name,
      place(pkt: PacketView, ctx: DispatchContext) {
        const first = stopped === undefined;
        if (reachedStop(`place() on packet ${pkt.id}`)) {
          throw new PolicyTimedOut(
            first && stopped !== undefined
              ? `no answer within ${seconds}: the watchdog stopped the policy`
              : stopped,
          );
        }
        if (pending !== undefined) {
          const why = pending;
          if (inner !== undefined) pending = undefined;
          throw new Error(why);
        }
        beat.enter(CallKind.place, calls - 1, { id: pkt.id, flow: pkt.flow }, ctx.cpu);
        try {
          return (inner as DispatchPolicy).place(pkt, ctx);
        } finally {
          beat.leave();
        }
      },
      tick(ctx: DispatchContext) {
        if (inner?.tick === undefined) return;
        if (reachedStop('tick()')) return;
        beat.enter(CallKind.tick, calls - 1, undefined, ctx.cpu);
        try {
          inner.tick(ctx);
        } catch (err) {
          pending = `tick() threw ${errorText(err)} (reported on the next packet)`;
        } finally {
          beat.leave();
        }
      },
    };
    return guarded;
  };
}
