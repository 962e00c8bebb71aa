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
  const [outer, ...inner] = frames;
  const body = inner.reduceRight<CallBody>(
    (next, frame) => () => [{ frame, frameBytes: frameBytes(frame), run: next }],
    run,
  );
  return { frame: outer, frameBytes: frameBytes(outer), run: body };
}
