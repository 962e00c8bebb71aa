import { type PolicyFault, policyFault } from '../../model/policy.ts';
import { describeValue } from '../../model/policy-describe.ts';

/**
 * Process-wide escapes a policy could take from inside the fuzz worker, turned into faults of the
 * call that took them: process.exit and process.reallyExit (`exited`), process.kill of its own
 * process or group and process.abort (`killed`). A policy runs in a worker thread, whose `process`
 * is the whole fuzz process: left alone, a kill would end the judge with it. The interceptor
 * throws, and the fault is latched, so a policy that catches the throw is charged all the same.
 * Code the policy starts outside this process (child_process, native addons) is not contained.
 */

let latched: PolicyFault | undefined;

/** The fault latched since the last call, cleared. */
export function takeContainedFault(): PolicyFault | undefined {
  const fault = latched;
  latched = undefined;
  return fault;
}

function raise(kind: 'exited' | 'killed', message: string): never {
  latched ??= policyFault(kind, message);
  throw latched;
}

function ownTarget(pid: unknown): boolean {
  const n = Number(pid);
  return n === 0 || n === process.pid || n === -process.pid || n === process.ppid || n < 0;
}

/**
 * `close` of the worker's port, on the port and on the prototype that holds it (a policy could
 * call `MessagePort.prototype.close` on the port); other ports close as before.
 */
function containPortClose(port: object): void {
  let owner: object | null = port;
  while (owner !== null && !Object.hasOwn(owner, 'close')) owner = Object.getPrototypeOf(owner);
  const close = (owner as { close?: unknown } | null)?.close;
  const closed = () =>
    raise('exited', 'called parentPort.close(): the fuzz worker would end without an answer');
  const locked = { writable: false, configurable: false } as const;
  if (owner !== null && typeof close === 'function') {
    Object.defineProperty(owner, 'close', {
      ...locked,
      value: function (this: unknown, ...args: unknown[]) {
        return this === port ? closed() : close.apply(this, args);
      },
    });
  }
  Object.defineProperty(port, 'close', { ...locked, value: closed });
}

/**
 * Installs the interceptors (once, in the worker, before the policy module loads). `port` is the
 * worker's port to the fuzz command: closing it would end the worker without an answer.
 */
export function containProcess(port?: object): void {
  if (port !== undefined) containPortClose(port);
  const kill = process.kill.bind(process);
  const proc = process as unknown as Record<string, unknown>;
  proc.exit = (code?: unknown) => raise('exited', `called process.exit(${describeValue(code ?? '')})`);
  proc.reallyExit = (code?: unknown) =>
    raise('exited', `called process.reallyExit(${describeValue(code ?? '')})`);
  proc.abort = () => raise('killed', 'called process.abort()');
  proc.kill = (pid: number, signal?: string | number) => {
    if (ownTarget(pid))
      raise(
        'killed',
        `called process.kill(${describeValue(pid)}, ${describeValue(signal ?? 'SIGTERM')}) on its own process`,
      );
    return kill(pid, signal);
  };
}
