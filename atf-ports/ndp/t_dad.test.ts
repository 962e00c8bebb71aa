/**
 * Port of NetBSD tests/net/ndp/t_dad.sh (rev 1.13): IPv6 duplicate address detection, the
 * tentative and duplicated states, and net.inet6.ip6.dad_count. Same case names, same
 * assertions; `sleep` runs on the virtual clock.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';
import { expectMatch } from '../harness/net6.ts';

const SOCKLOCAL = 'unix://commsock1';
const SOCKPEER = 'unix://commsock2';
const duplicated = '[Dd][Uu][Pp][Ll][Ii][Cc][Aa][Tt][Ee][Dd]';
const tentative = '[Tt][Ee][Nn][Tt][Aa][Tt][Ii][Vv][Ee]';

function setupServer(env: AtfEnv, sock: string, ip: string): void {
  env.rumpServerAddIface(sock, 'shmif0', 'bus1');
  env.check(sock, `rump.ifconfig shmif0 inet6 ${ip}`);
  env.check(sock, 'rump.ifconfig shmif0 up');
  env.check(sock, 'rump.ifconfig -w 10');
}

const makeNsPktStr = (id: number, target: string): string =>
  `33:33:ff:00:00:0${id}, ethertype IPv6 (0x86dd), length 78: :: > ff02::1:ff00:${id}: ICMP6, neighbor solicitation, who has ${target}, length 24`;

/** The sed in the original escapes the parentheses so the string matches literally. */
const escaped = (pkt: string): string => pkt.replace(/([()])/g, '\\$1');

describe('ndp/t_dad', () => {
  reportSleeps('ndp/t_dad');

  it('dad_basic', () => {
    const env = new AtfEnv();
    const [localip1, localip2, localip3] = ['fc00::1', 'fc00::2', 'fc00::3'];
    env.rumpServerStart(SOCKLOCAL, 'netinet6');
    env.rumpServerAddIface(SOCKLOCAL, 'shmif0', 'bus1');
    env.check(SOCKLOCAL, `rump.ifconfig shmif0 inet6 ${localip1}`);
    env.check(SOCKLOCAL, `rump.ifconfig shmif0 inet6 ${localip2}`);
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0 up');
    // The primary address doesn't start with tentative state.
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0', {
      o: [{ match: localip1 }, { notMatch: `${localip1}.+${tentative}` }],
    });

    env.sleep(2);
    let out = env.extractNewPackets('bus1');
    expectMatch(out, escaped(makeNsPktStr(2, localip2)), true, 'DAD probe for the alias');
    expectMatch(out, escaped(makeNsPktStr(1, localip1)), false, 'no DAD for the primary address');

    env.check(SOCKLOCAL, 'rump.ifconfig -w 10');
    out = env.extractNewPackets('bus1');
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0', {
      o: [{ match: localip2 }, { notMatch: `${localip2}.+${tentative}` }],
    });

    // Add a new address on the fly.
    env.check(SOCKLOCAL, `rump.ifconfig shmif0 inet6 ${localip3}`);
    env.sleep(2);
    out = env.extractNewPackets('bus1');
    expectMatch(out, escaped(makeNsPktStr(3, localip3)), true, 'DAD probe for the new address');
    env.check(SOCKLOCAL, 'rump.ifconfig -w 10');
    env.extractNewPackets('bus1');
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0', {
      o: [{ match: localip3 }, { notMatch: `${localip3}.+${tentative}` }],
    });
    env.rumpServerDestroyIfaces();
  });

  it('dad_duplicated', () => {
    const env = new AtfEnv();
    const [localip1, localip2, peerip] = ['fc00::1', 'fc00::11', 'fc00::2'];
    env.rumpServerStart(SOCKLOCAL, 'netinet6');
    env.rumpServerStart(SOCKPEER, 'netinet6');
    setupServer(env, SOCKLOCAL, localip1);
    setupServer(env, SOCKPEER, peerip);
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0', {
      o: [{ match: localip1 }, { notMatch: `${localip1}.+${duplicated}` }],
    });
    // Add a new address duplicated with the peer server.
    env.check(SOCKLOCAL, `rump.ifconfig shmif0 inet6 ${peerip}`);
    env.sleep(1);
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0', { o: { match: `${peerip}.+${duplicated}` } });
    // A unique address isn't marked as duplicated.
    env.check(SOCKLOCAL, `rump.ifconfig shmif0 inet6 ${localip2}`);
    env.sleep(1);
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0', {
      o: [{ match: localip2 }, { notMatch: `${localip2}.+${duplicated}` }],
    });
    env.rumpServerDestroyIfaces();
  });

  it('dad_count', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCKLOCAL, 'netinet6');
    env.rumpServerAddIface(SOCKLOCAL, 'shmif0', 'bus1');
    env.check(SOCKLOCAL, 'rump.sysctl -n net.inet6.ip6.dad_count', { o: { match: '1' } });
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0 up');
    env.sleep(2);
    env.run(SOCKLOCAL, 'rump.ifconfig shmif0');
    const dadCountTest = (count: number, id: number, target: string): void => {
      env.check(SOCKLOCAL, `rump.sysctl -w -q net.inet6.ip6.dad_count=${count}`);
      env.check(SOCKLOCAL, `rump.ifconfig shmif0 inet6 ${target}`);
      env.check(SOCKLOCAL, 'rump.ifconfig -w 20');
      env.sleep(2);
      const out = env.extractNewPackets('bus1');
      // cat ./out | grep 'pkt' | wc -l: grep's basic expression, where ( and ) are literal.
      const pkt = makeNsPktStr(id, target);
      const n = out.split('\n').filter((l) => l.includes(pkt)).length;
      if (!new RegExp(String(count)).test(String(n)))
        throw new Error(`DAD probes for ${target}: ${n}, expected ${count}\n${out}`);
    };
    dadCountTest(1, 1, 'fc00::1');
    dadCountTest(8, 2, 'fc00::2');
    env.rumpServerDestroyIfaces();
  });
});
