import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStored, type StoredFailure, writeStored } from './failure-db.ts';

const found: StoredFailure = {
  seed: 7,
  path: '3:1',
  property: 'flow-order',
  cpuCountMin: 1,
  cpuCountMax: 64,
  deployment: { kernel: 'freebsd-rss', sysctl: {} } as unknown as StoredFailure['deployment'],
};

describe('the failure database on disk', () => {
  it('writes into a directory it makes, and reads back what it wrote', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'fuzz-db-')), 'nested', 'db');
    expect(writeStored(db, 'policies/flow-hash.ts', [found])).toBeUndefined();
    expect(readStored(db, 'policies/flow-hash.ts')).toEqual([found]);
  });

  it.runIf(existsSync('/proc/self'))(
    'a directory it cannot make: the reason as one line, at once (not a hang)',
    () => {
      expect(writeStored('/proc/netstack-conformance-db', 'policies/flow-hash.ts', [found])).toMatch(
        /^failure database \/proc\/netstack-conformance-db: ENOENT: no such file or directory, mkdir/,
      );
    },
  );
});
