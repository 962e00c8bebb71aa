import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from './cleanup.ts';
import { familyOf, type LiveConfig } from './config.ts';
import { type LiveNames, liveAddresses } from './topology.ts';

export const RX_PORT = 5000;
export const TX_PORT_BASE = 6000;
/** The receiver stops this long after the last datagram once the sender is done. */
const IDLE_MS = 200;

/** (flow, seq) pairs: what the sender had accepted, in send order; what the reader read, in order. */
export type FlowSeq = readonly [number, number];

export interface WorkloadResult {
  readonly sent: readonly FlowSeq[];
  readonly read: readonly FlowSeq[];
  readonly sendMs: number;
}

const agent = (name: string) => fileURLToPath(new URL(`./agents/${name}.mjs`, import.meta.url));

function startAgent(
  ns: string,
  cpu: number,
  script: string,
  args: readonly (string | number)[],
  cleanup: Cleanup,
) {
  const child = spawn(
    'ip',
    ['netns', 'exec', ns, 'taskset', '-c', String(cpu), 'node', agent(script), ...args.map(String)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  cleanup.add(`stop the ${script}`, () => {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
  });
  return child;
}

/** Collects a child's stdout; resolves with it at exit, rejects on a non-zero exit. */
function output(child: ChildProcess, what: string, onLine?: (line: string) => void): Promise<string> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    if (onLine !== undefined) for (const l of d.toString().split('\n')) if (l !== '') onLine(l);
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((ok, fail) =>
    child.on('exit', (code) =>
      code === 0
        ? ok(out)
        : fail(new Error(`${what} exited ${code}: ${err.trim().split('\n').at(-1) ?? ''}`)),
    ),
  );
}

const lastJson = <T>(text: string): T => JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as T;

/**
 * The workload: a receiver pinned to its CPU in the receiving namespace (reading slowly if asked),
 * then a sender pinned to its CPU sending `packets` datagrams round-robin over `flows` flows.
 */
export async function runWorkload(c: LiveConfig, n: LiveNames, cleanup: Cleanup): Promise<WorkloadResult> {
  const a = liveAddresses(familyOf(c));
  const receiver = startAgent(
    n.rxNs,
    c.receiverCpu,
    'receiver',
    [
      ...[a.rx, RX_PORT, c.rcvbufBytes, c.readDelayMs, IDLE_MS, c.durationMs + c.readDelayMs],
      ...[c.connected ? c.flows : 0, a.tx, TX_PORT_BASE],
    ],
    cleanup,
  );
  let ready: () => void = () => {};
  const isReady = new Promise<void>((ok) => {
    ready = ok;
  });
  const received = output(receiver, 'receiver', (l) => {
    if (l === 'ready') ready();
  });
  await Promise.race([isReady, received]);
  const t0 = process.hrtime.bigint();
  const sender = startAgent(
    n.txNs,
    c.senderCpu,
    'sender',
    [a.tx, a.rx, RX_PORT, TX_PORT_BASE, c.flows, c.packets, c.payloadBytes, c.durationMs],
    cleanup,
  );
  const { sent } = lastJson<{ sent: FlowSeq[] }>(await output(sender, 'sender'));
  const sendMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // The receiver may have ended already (a failed bind): what it printed says what it read.
  receiver.stdin?.on('error', () => {});
  receiver.stdin?.write('done\n');
  const { read } = lastJson<{ read: FlowSeq[] }>(await received);
  return { sent, read, sendMs };
}
