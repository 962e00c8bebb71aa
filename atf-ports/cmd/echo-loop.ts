import { NS_PER_SECOND } from '../../model/brand.ts';
import type { CmdResult } from './types.ts';

/** MAXWAIT of ping(8) and ping6(8): how long to wait for replies after the last request. */
const MAXWAIT_SECONDS = 10;

/** What the loop needs of the world: its clock and a way to run it until a condition holds. */
interface EchoWorld {
  readonly nowNs: number;
  runUntil(done: () => boolean, deltaNs: number): boolean;
}

/** Requests sent and replies seen, counted by the command's reply listener. */
export interface EchoTally {
  transmitted: number;
  received: number;
}

export interface EchoLoopOptions {
  /** -c: replies wanted, 0 for no limit. */
  readonly count: number;
  /** -w (ping) / -X (ping6): stop after this many seconds. */
  readonly deadlineSeconds: number | undefined;
  /** ping stops waiting after the last request at its first new reply; ping6 waits for all. */
  readonly lastWaitEndsAtFirstReply: boolean;
}

/**
 * The send-and-wait loop both commands share: one echo request a second until `count` replies
 * arrived, the deadline passed, or (without a deadline) MAXWAIT after the last request. `send`
 * transmits request `seq`; the caller's listener counts replies into `tally`.
 */
export function runEchoLoop(
  world: EchoWorld,
  o: EchoLoopOptions,
  tally: EchoTally,
  send: (seq: number) => void,
): void {
  const wanted = o.count === 0 ? Number.POSITIVE_INFINITY : o.count;
  const endNs = o.deadlineSeconds === undefined ? undefined : world.nowNs + o.deadlineSeconds * NS_PER_SECOND;
  for (let seq = 0; tally.received < wanted; seq++) {
    const now = world.nowNs;
    if (endNs !== undefined && now >= endNs) break;
    if (seq < wanted) {
      tally.transmitted++;
      send(seq);
    }
    const lastSent = seq + 1 >= wanted;
    const waitNs = lastSent && endNs === undefined ? MAXWAIT_SECONDS * NS_PER_SECOND : NS_PER_SECOND;
    const untilNs = endNs === undefined ? waitNs : Math.min(waitNs, endNs - now);
    const before = tally.received;
    world.runUntil(
      () => tally.received >= wanted || (o.lastWaitEndsAtFirstReply && lastSent && tally.received > before),
      untilNs,
    );
    if (lastSent && endNs === undefined) break;
  }
}

/** The statistics lines and exit status (0 when any reply came back, 2 otherwise). */
export function echoResult(
  title: string,
  tally: EchoTally,
  out: string[],
  err: readonly string[],
): CmdResult {
  const { transmitted, received } = tally;
  const loss = transmitted === 0 ? 0 : ((transmitted - received) * 100) / transmitted;
  out.push('', title);
  out.push(
    `${transmitted} packets transmitted, ${received} packets received, ${loss.toFixed(1)}% packet loss`,
  );
  return {
    status: received > 0 ? 0 : 2,
    stdout: `${out.join('\n')}\n`,
    stderr: err.length === 0 ? '' : `${err.join('\n')}\n`,
  };
}
