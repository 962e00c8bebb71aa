import { describeThrown } from '../../model/policy-describe.ts';
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
  const pkt = reading.pkt >= 0 ? ` on packet ${reading.pkt}` : '';
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
  wrapScheduler(process as unknown as Record<string, unknown>, 'nextTick', now, report);
  process.on('unhandledRejection', (reason) => {
    const at = now();
    report({
      kind: 'late-fault',
      message: `a promise rejected with nobody to handle it (in ${where(at)}): ${describeThrown(reason)}`,
      reading: at,
    });
  });
  process.on('uncaughtException', (err) => {
    const at = now();
    report({
      kind: 'late-fault',
      message: `deferred policy work threw ${describeThrown(err)} (in ${where(at)})`,
      reading: at,
    });
  });
}
