/**
 * Ends the process with `code` without waiting for its worker threads. `process.exit()` joins every
 * worker thread first, and a fuzz worker stuck in a native call (harness/fuzz/stopping.ts) never
 * ends: the command would hang until that thread exhausted its heap and aborted the process. WASI's
 * `proc_exit` (node:wasi with `returnOnExit: false`) calls the C library's `exit()` directly.
 * Standard output and error are flushed first.
 */
export async function exitNow(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  // node:wasi warns that it is experimental; the process ends before that would matter.
  process.removeAllListeners('warning');
  try {
    const { WASI } = await import('node:wasi');
    const wasi = new WASI({ version: 'preview1', returnOnExit: false });
    const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyConstructors }).WebAssembly;
    wasi.start(new wasm.Instance(new wasm.Module(procExitModule(code)), wasi.getImportObject()));
  } catch {
    // No WASI here (a permission model that forbids it): the usual way out, which may wait.
  }
  process.exit(code);
}

/** The two constructors used here (the DOM library, which declares them, is not in this project). */
interface WebAssemblyConstructors {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => object;
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolveFlush) => {
    stream.write('', () => resolveFlush());
  });
}

/** A WebAssembly module whose `_start` calls `proc_exit(code)`, as bytes. */
export function procExitModule(code: number): Uint8Array {
  const text = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const body = [0, 0x41, ...signedLeb128(code), 0x10, 0, 0x0b]; // i32.const code; call 0; end
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // \0asm, version 1
    ...section(1, [2, 0x60, 1, 0x7f, 0, 0x60, 0, 0]), // types: (i32) -> (), () -> ()
    ...section(2, [1, ...text('wasi_snapshot_preview1'), ...text('proc_exit'), 0, 0]),
    ...section(3, [1, 1]), // one function of type () -> ()
    ...section(5, [1, 0, 1]), // one memory of one page: WASI wants one exported
    ...section(7, [2, ...text('memory'), 2, 0, ...text('_start'), 0, 1]),
    ...section(10, [1, body.length, ...body]),
  ]);
}

/** `value` as WebAssembly encodes an i32 constant. */
export function signedLeb128(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
