import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './fuzz.ts';
import { ProgressLog } from './progress-log.ts';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (t: string) => written.push(t) > 0 };
}

describe('progress where stderr is not a terminal', () => {
  it('writes the line plainly, one per interval, the first one interval after the start', () => {
    let nowMs = 0;
    const s = stream(false);
    const log = new ProgressLog(s, true, 10_000, () => nowMs);
    log.update('a');
    nowMs = 9_999;
    log.update('b');
    nowMs = 10_000;
    log.update('c');
    nowMs = 15_000;
    log.update('d');
    nowMs = 20_000;
    log.update('e');
    log.clear();
    expect(s.written).toEqual(['fuzz: c\n', 'fuzz: e\n']);
  });

  it('stays silent on a terminal (the bar is drawn there) and when told to (--json)', () => {
    for (const [s, enabled] of [
      [stream(true), true],
      [stream(false), false],
    ] as const) {
      const log = new ProgressLog(s, enabled, 0, () => 1);
      log.update('a');
      expect(s.written).toEqual([]);
    }
  });

  it('the fuzz command writes such lines while it searches, none with --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-progress-'));
    const policy = join(dir, 'first.mjs');
    writeFileSync(
      policy,
      "export default { name: 'first', place: (_p, ctx) => ({ cpu: ctx.workstreamCpus[0], mode: 'queue' }) };\n",
    );
    const run = async (...extra: string[]) => {
      const err = stream(false);
      const code = await main(
        [policy, '--runs', '300', '--seed', '1', '--workers', '1', '--no-db', ...extra],
        {
          io: { out: () => {}, err: () => {} },
          progress: { stream: err, logIntervalMs: 0 },
        },
      );
      return { code, lines: err.written };
    };
    const plain = await run('--property', 'policy-conformance');
    expect(plain.code).toBe(0);
    expect(plain.lines.length).toBeGreaterThan(0);
    for (const line of plain.lines)
      expect(line).toMatch(/^fuzz: \[[#-]{24}\] \d+\/300 runs {2}\d+ runs\/s .*\n$/);
    const json = await run('--property', 'policy-conformance', '--json');
    expect(json.lines).toEqual([]);
  });
});
