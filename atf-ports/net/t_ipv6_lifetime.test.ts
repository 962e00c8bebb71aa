/**
 * Port of NetBSD tests/net/net/t_ipv6_lifetime.sh (rev 1.4): preferred and valid lifetimes of
 * IPv6 addresses, shown by ifconfig -L, deprecating and removing the address on the nd6
 * timer, EINVAL for a preferred lifetime beyond the valid one. `sleep` runs on the virtual clock.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const SOCK = 'unix://sock';
const BUS = './bus';
const deprecated = '[Dd][Ee][Pp][Rr][Ee][Cc][Aa][Tt][Ee][Dd]';

describe('net/t_ipv6_lifetime', () => {
  reportSleeps('net/t_ipv6_lifetime');

  it('basic', () => {
    const env = new AtfEnv();
    const time = 5;
    const bonus = 2;
    const ip = 'fc00::1';
    env.rumpServerStart(SOCK, 'netinet6');
    env.check(SOCK, 'rump.ifconfig shmif0 create');
    env.check(SOCK, `rump.ifconfig shmif0 linkstr ${BUS}`);
    env.check(SOCK, 'rump.ifconfig shmif0 up');

    // A normal IP address doesn't contain preferred/valid lifetime.
    env.check(SOCK, `rump.ifconfig shmif0 inet6 ${ip}`);
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { notMatch: 'pltime' } });
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { notMatch: 'vltime' } });
    env.check(SOCK, `rump.ifconfig shmif0 inet6 ${ip} delete`);

    // Setting only a preferred lifetime.
    env.check(SOCK, `rump.ifconfig shmif0 inet6 ${ip} pltime ${time}`);
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { match: 'pltime' } });
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { match: 'vltime infty' } });
    env.sleep(time + bonus);
    // Should remain but marked as deprecated.
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { match: `${ip}.+${deprecated}` } });
    env.check(SOCK, `rump.ifconfig shmif0 inet6 ${ip} delete`);

    // Setting only a valid lifetime (invalid).
    env.check(SOCK, `rump.ifconfig shmif0 inet6 ${ip} vltime ${time}`, {
      s: 'not-exit:0',
      e: { match: 'Invalid argument' },
    });

    // Setting both preferred and valid lifetimes (same value).
    env.check(SOCK, `rump.ifconfig shmif0 inet6 ${ip} pltime ${time} vltime ${time}`);
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { match: 'pltime' } });
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { match: 'vltime' } });
    env.sleep(time + bonus);
    // Shouldn't remain anymore.
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { notMatch: ip } });

    // Setting both preferred and valid lifetimes (pltime > vltime).
    env.check(SOCK, `rump.ifconfig shmif0 inet6 ${ip} pltime ${time * 2} vltime ${time}`, {
      s: 'not-exit:0',
      e: { match: 'Invalid argument' },
    });

    // Setting both preferred and valid lifetimes (pltime < vltime).
    env.check(SOCK, `rump.ifconfig shmif0 inet6 ${ip} pltime ${time} vltime ${time * 2}`);
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { match: 'pltime' } });
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { match: 'vltime' } });
    // (The original skips the rest under QEMU, PR kern/43997; the virtual clock does not drift.)
    env.sleep(time + bonus);
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { match: `${ip}.+${deprecated}` } });
    env.sleep(time + bonus);
    env.check(SOCK, 'rump.ifconfig -L shmif0', { o: { notMatch: ip } });
  });
});
