import { describe, expect, it } from 'vitest';
import { decodeCounterInput } from './decode.ts';
import { checkCounters } from './index.ts';
import { realTable } from './testing.ts';

const utf16 = (text: string, order: 'le' | 'be'): Uint8Array => {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  if (order === 'le') return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1] ?? 0;
    be[i + 1] = le[i] ?? 0;
  }
  return be;
};

describe('a dump saved as UTF-16 (PowerShell > and Out-File) reads as the same text', () => {
  const text = realTable('proc-net-snmp/udp-rcvbuf-blog.txt');

  it.each(['le', 'be'] as const)('UTF-16 %s with its byte order mark', (order) => {
    const decoded = decodeCounterInput(utf16(text, order));
    expect(decoded).toBe(text);
    expect(checkCounters(decoded, { json: false }).exitCode).toBe(0);
  });

  it('UTF-8 as it was, with or without its mark; a lone byte that is not UTF-8 stays refused', () => {
    expect(decodeCounterInput(Buffer.from(text))).toBe(text);
    expect(decodeCounterInput(Buffer.from(`\uFEFF${text}`))).toBe(text);
    const bad = decodeCounterInput(Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0x0a])]));
    expect(checkCounters(bad, { json: false }).stderr).toMatch(/binary data/);
  });

  it('only both bytes of a mark choose UTF-16: one of them alone is a byte that is not UTF-8', () => {
    for (const head of [
      [0xff, 0x41],
      [0x41, 0xfe],
      [0xfe, 0x41],
      [0x41, 0xff],
    ]) {
      const text = decodeCounterInput(Uint8Array.from([...head, 0x42, 0x43]));
      expect(text).toBe(new TextDecoder('utf-8').decode(Uint8Array.from([...head, 0x42, 0x43])));
      expect(text).toContain('\ufffd');
    }
  });

  it('UTF-16 without a byte order mark is not guessed at: NULs, refused as binary data', () => {
    const bare = Buffer.from(text, 'utf16le');
    expect(checkCounters(decodeCounterInput(bare), { json: false }).stderr).toMatch(/line 1: binary data/);
  });
});
