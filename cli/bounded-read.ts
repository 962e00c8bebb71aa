import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads a file or standard input, stopping as soon as the input is over a limit: an endless
 * stream (`yes | check-counters -`, /dev/zero) is refused after `bytesMax` bytes or `linesMax`
 * lines, not read to the end first.
 */
export interface ReadLimits {
  readonly bytesMax: number;
  readonly linesMax: number;
}

const CHUNK_BYTES = 64 * 1024;

function newlines(buf: Buffer, n: number): number {
  let count = 0;
  for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) count++;
  return count;
}

/** A non-blocking stdin answers EAGAIN until data comes: wait a little and read again. */
function readChunk(fd: number, buf: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') return 0;
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** The bytes, or why not: `over N bytes` / `over N lines` (the read stopped there). */
export function readBoundedFd(fd: number, limits: ReadLimits): Buffer | { over: string } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let lines = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const n = readChunk(fd, buf);
    if (n === 0) break;
    bytes += n;
    lines += newlines(buf, n);
    if (bytes > limits.bytesMax) return { over: `over ${limits.bytesMax} bytes` };
    // A last line without its newline still counts: checked below, after the read.
    if (lines > limits.linesMax) return { over: `over ${limits.linesMax} lines` };
    chunks.push(buf.subarray(0, n));
  }
  return Buffer.concat(chunks, bytes);
}

export function readBoundedFile(path: string, limits: ReadLimits): Buffer | { over: string } {
  const fd = openSync(path, 'r');
  try {
    return readBoundedFd(fd, limits);
  } finally {
    closeSync(fd);
  }
}
