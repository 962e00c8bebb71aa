import { syncBuiltinESMExports } from 'node:module';
import timers from 'node:timers';
import { promiseHooks } from 'node:v8';
import { describeThrown } from '../../model/policy-describe.ts';
import { packetText } from '../../model/trace.ts';
import { CallKind, callKindName, type HeartbeatReading } from './heartbeat.ts';

/**
 * Deferred work a policy leaves behind (a timer, an immediate, a microtask) runs after the call
 * that set it up, often after the whole synchronous search. When it throws, the fault is charged
 * to that call: each scheduling function is wrapped to remember where the heartbeat stood when it
 * was called. A rejection nobody handles is charged to the call in progress, or the last one.
 */

export interface LateFault {
  readonly kind: 'late-fault';
  readonly message: string;
  readonly reading: HeartbeatReading;
}

type Report = (fault: LateFault) => void;

function where(reading: HeartbeatReading): string {
  const pkt = reading.pkt >= 0 ? ` on packet ${packetText(reading.pkt)}` : '';
  const call = reading.kind === CallKind.idle ? 'the last policy call' : `${callKindName(reading.kind)}()`;
  return `${call}${pkt}`;
}

function wrapScheduler(
  owner: Record<string, unknown>,
  key: string,
  now: () => HeartbeatReading,
  report: Report,
): void {
  const original = owner[key];
  if (typeof original !== 'function') return;
  owner[key] = function scheduled(this: unknown, callback: unknown, ...rest: unknown[]) {
    if (typeof callback !== 'function') return original.call(this, callback, ...rest);
    const at = now();
    const wrapped = function (this: unknown, ...args: unknown[]) {
      try {
        return callback.apply(this, args);
      } catch (err) {
        report({
          kind: 'late-fault',
          message: `${key}() callback set up in ${where(at)} threw ${describeThrown(err)} after the call returned`,
          reading: at,
        });
        return undefined;
      }
    };
    return original.call(this, wrapped, ...rest);
  };
}

/** Installs the wrappers and the last-resort handlers in the worker. */
export function watchDeferred(now: () => HeartbeatReading, report: Report): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const key of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']) {
    wrapScheduler(g, key, now, report);
  }
  // The same functions imported from `node:timers` (a policy's ES import sees the synced exports).
  const timersModule = timers as unknown as Record<string, unknown>;
  for (const key of ['setTimeout', 'setInterval', 'setImmediate'])
    wrapScheduler(timersModule, key, now, report);
  syncBuiltinESMExports();
  wrapScheduler(process as unknown as Record<string, unknown>, 'nextTick', now, report);
  // A rejection surfaces only after the synchronous search (or the run) has ended, so the call it
  // belongs to is the one that made the promise, remembered when the promise was made.
  const madeIn = new WeakMap<Promise<unknown>, HeartbeatReading>();
  promiseHooks.onInit((promise) => void madeIn.set(promise, now()));
  const onRejection = (reason: unknown, promise: Promise<unknown>) => {
    const at = madeIn.get(promise) ?? now();
    report({
      kind: 'late-fault',
      message: `a promise made in ${where(at)} rejected with nobody to handle it: ${describeThrown(reason)}`,
      reading: at,
    });
  };
  const onUncaught = (err: unknown) => {
    const at = now();
    report({
      kind: 'late-fault',
      message: `deferred policy work threw ${describeThrown(err)} (in ${where(at)})`,
      reading: at,
    });
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onUncaught);
  keepListeners(
    new Map<string | symbol, (...args: never[]) => void>([
      ['unhandledRejection', onRejection],
      ['uncaughtException', onUncaught],
    ]),
  );
}

/**
 * The handlers above stay on `process`: without them, a policy's rejection or throw reaches the
 * worker's fatal-exception path, whose `process.exit` is the intercepted one (contain.ts), and
 * the whole fuzz process aborts. Removing them is a no-op; removing all listeners of their event
 * puts them back.
 */
function keepListeners(kept: ReadonlyMap<string | symbol, (...args: never[]) => void>): void {
  const proc = process as unknown as Record<string, unknown>;
  const { removeListener, removeAllListeners } = process;
  const removeOne = function (this: unknown, event: string | symbol, listener: unknown) {
    if (kept.get(event) === listener) return process;
    return removeListener.call(process, event, listener as () => void);
  };
  proc.removeListener = removeOne;
  proc.off = removeOne;
  // Called with no argument it removes every event's listeners, with one only that event's.
  proc.removeAllListeners = function (this: unknown, ...event: [string | symbol] | []) {
    removeAllListeners.call(process, ...event);
    for (const [name, listener] of kept) {
      const wanted = event.length === 0 || event[0] === name;
      // Node's own `removeListener` watcher on process makes the removal go through removeOne.
      const present = (process.rawListeners(name) as unknown[]).includes(listener);
      if (wanted && !present) process.on(name, listener as () => void);
    }
    return process;
  };
}
