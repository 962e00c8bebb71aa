/**
 * Port of NetBSD tests/net/if/t_ifconf.sh (rev 1.3): SIOCGIFCONF returns one entry per
 * interface address (the AF_LINK one included), truncated to the buffer the caller gives,
 * and follows interface creation and destruction.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const RUMP_SERVER1 = 'unix://./r1';

/** `ifconf list N | wc -l`, matched as atf_check -o match:COUNT does. */
function listCount(env: AtfEnv, n: number, want: number): void {
  const out = env.check(RUMP_SERVER1, `ifconf list ${n}`, { o: 'ignore' }).stdout;
  const wc = out === '' ? 0 : out.split('\n').length - 1;
  if (!String(wc).includes(String(want)))
    throw new Error(`ifconf list ${n} | wc -l: ${wc}, expected to match ${want}`);
}

describe('if/t_ifconf', () => {
  reportSleeps('if/t_ifconf');

  it('basic', () => {
    const env = new AtfEnv();
    env.rumpServerStart(RUMP_SERVER1);
    const s = RUMP_SERVER1;

    // lo0 (its link address and 127.0.0.1)
    env.check(s, 'ifconf total', { o: { match: '^2$' } });
    env.check(s, 'ifconf list', { o: { match: 'lo0' } });

    // shmif0 without an address
    env.check(s, 'rump.ifconfig shmif0 create');
    env.check(s, 'ifconf total', { o: { match: '^3$' } });
    env.check(s, 'ifconf list', { o: { match: 'shmif0' } });

    // shmif1 without an address
    env.check(s, 'rump.ifconfig shmif1 create');
    env.check(s, 'ifconf total', { o: { match: '^4$' } });
    env.check(s, 'ifconf list', { o: { match: 'shmif1' } });

    // An address on shmif0
    env.check(s, 'rump.ifconfig shmif0 linkstr shmbus');
    env.check(s, 'rump.ifconfig shmif0 192.168.0.1/24');
    env.check(s, 'ifconf total', { o: { match: '^5$' } });

    // The number of entries asked for
    for (const [n, want] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
      [6, 5],
    ] as const) {
      listCount(env, n, want);
    }

    // Destroying an interface is reflected.
    env.check(s, 'rump.ifconfig shmif0 destroy');
    env.check(s, 'ifconf total', { o: { match: '^3$' } });
    env.check(s, 'ifconf list', { o: { notMatch: 'shmif0' } });
    for (const [n, want] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 3],
    ] as const) {
      listCount(env, n, want);
    }
  });
});
