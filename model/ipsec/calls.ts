import { assert } from '../brand.ts';
import type { KernelCall } from '../sim/kthread.ts';

/** What a kernel function does once its frame is on the stack: the calls it makes, if any. */
export type CallBody = () => readonly KernelCall[] | undefined;

/**
 * A chain of kernel functions each called by the previous one (`ip_output -> ipsec4_output -> ...`),
 * the innermost running `run`. Each frame's call is built when its caller runs.
 */
export function nestedCall(
  frameBytes: (frame: string) => number,
  frames: readonly [string, ...string[]],
  run: CallBody,
): KernelCall {
  return new ChainCall(frameBytes, frames, 0, run);
}

/** Frame `index` of a chain (a class: no closure or array per frame on every packet). */
class ChainCall implements KernelCall {
  readonly frame: string;
  readonly frameBytes: number;

  constructor(
    readonly lookup: (frame: string) => number,
    readonly frames: readonly string[],
    readonly index: number,
    readonly body: CallBody,
  ) {
    const frame = frames[index];
    assert(frame !== undefined, 'sim: a call chain frame in range');
    this.frame = frame;
    this.frameBytes = lookup(frame);
  }

  run(): KernelCall | readonly KernelCall[] | undefined {
    const next = this.index + 1;
    return next < this.frames.length ? new ChainCall(this.lookup, this.frames, next, this.body) : this.body();
  }
}
