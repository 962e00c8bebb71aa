/**
 * The harness is what gives the ports their teeth: atf_check must fail where the shell's
 * does, and check_route must see one exact netstat line.
 */
import { describe, expect, it } from 'vitest';
import { atfCheck } from './atf.ts';
import { AtfEnv } from './net-common.ts';

const run = (status: number, stdout: string, stderr = '') => ({ status, stdout, stderr });

describe('atf_check', () => {
  it('wants exit 0 and empty output when given nothing else', () => {
    expect(() => atfCheck('x', run(0, ''))).not.toThrow();
    expect(() => atfCheck('x', run(1, ''))).toThrow(/status 1, expected exit:0/);
    expect(() => atfCheck('x', run(0, 'hello\n'))).toThrow(/stdout not empty/);
    expect(() => atfCheck('x', run(0, '', 'warn\n'))).toThrow(/stderr not empty/);
  });

  it('matches and not-matches line by line, as grep -E', () => {
    const out = run(0, 'inet 10.0.0.1/24 flags 0x1<TENTATIVE>\ninet 10.0.0.2/24 flags 0x0\n');
    expect(() => atfCheck('x', out, { o: { match: '^inet 10.0.0.2' } })).not.toThrow();
    expect(() => atfCheck('x', out, { o: { match: '10.0.0.2.+TENTATIVE' } })).toThrow(/does not match/);
    expect(() => atfCheck('x', out, { o: { notMatch: 'TENTATIVE' } })).toThrow(/matches/);
    expect(() => atfCheck('x', out, { o: [{ match: '10.0.0.1' }, { match: '10.0.0.2' }] })).not.toThrow();
  });

  it('reads not-exit:0 and exit:2 as the shell would', () => {
    expect(() => atfCheck('x', run(2, ''), { s: 'exit:2' })).not.toThrow();
    expect(() => atfCheck('x', run(1, ''), { s: 'exit:2' })).toThrow();
    expect(() => atfCheck('x', run(0, ''), { s: 'not-exit:0' })).toThrow();
  });
});

describe('net_common.sh', () => {
  it('check_route wants the exact flags column', () => {
    const env = new AtfEnv();
    env.rumpServerStart('unix://commsock1');
    env.checkRouteFlags('unix://commsock1', '127.0.0.1', 'UHl');
    expect(() => env.checkRouteFlags('unix://commsock1', '127.0.0.1', 'UH')).toThrow(/does not match/);
    expect(() => env.checkRouteNoEntry('unix://commsock1', '127.0.0.1')).toThrow(/matches/);
  });

  it('sleep moves only the virtual clock and is counted', () => {
    const env = new AtfEnv();
    env.sleep(7);
    env.sleep(2);
    expect(env.sleptSeconds).toBe(9);
    expect(env.world.nowNs).toBe(9_000_000_000);
  });
});
