import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './live.ts';

/** `live` when the machine fails it mid-run: one line, exit 2, never a stack trace. */
describe('live: a run that cannot go on', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a command failing mid-run is one line on stderr and exit 2', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const code = await main([], () => {
      throw new Error('ip netns exec nsc-1-rx sh -c echo: Permission denied\n    at run (live/system.ts)');
    });
    expect(code).toBe(2);
    expect(written).toEqual([
      'live: the run stopped: ip netns exec nsc-1-rx sh -c echo: Permission denied\n',
    ]);
  });

  it('bad flags are refused before any run is tried', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const run = vi.fn();
    expect(await main(['--queues', 'many'], run)).toBe(2);
    expect(run).not.toHaveBeenCalled();
  });
});
