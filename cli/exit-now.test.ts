import { WASI } from 'node:wasi';
import { describe, expect, it } from 'vitest';
import { procExitModule, signedLeb128 } from './exit-now.ts';

const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => object;
      validate: (bytes: Uint8Array) => boolean;
    };
  }
).WebAssembly;

describe('exitNow: the process ends with the command exit code past a stuck thread', () => {
  it('encodes i32 constants as WebAssembly does (signed LEB128)', () => {
    expect(signedLeb128(0)).toEqual([0x00]);
    expect(signedLeb128(1)).toEqual([0x01]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    // 64 has bit 6 set: one byte would read back as -64.
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(130)).toEqual([0x82, 0x01]);
    expect(signedLeb128(143)).toEqual([0x8f, 0x01]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
  });

  // With returnOnExit, WASI hands proc_exit's code back instead of ending this process.
  it.each([0, 1, 2, 130, 143])('the module calls proc_exit(%i)', (code) => {
    const bytes = procExitModule(code);
    expect(wasm.validate(bytes)).toBe(true);
    const wasi = new WASI({ version: 'preview1', returnOnExit: true });
    const exit = new wasm.Instance(new wasm.Module(bytes), wasi.getImportObject());
    expect(wasi.start(exit)).toBe(code);
  });
});
