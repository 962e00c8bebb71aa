/**
 * Port of NetBSD tests/net/net/t_ipaddress.sh (rev 1.9), the IPv6 cases (the IPv4 one is in
 * t_ipaddress.test.ts): assigning and deleting the same IPv6 address twice, and the automatic
 * link-local address with net.inet6.ip6.auto_linklocal.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const SOCK_LOCAL = 'unix://commsock1';
const BUS = 'bus';

/** check_entry IP WORD: `netstat -rn | grep ^IP` succeeds and matches WORD. */
function checkEntry(env: AtfEnv, ip: string, word: string): void {
  const rows = env
    .run(SOCK_LOCAL, 'rump.netstat -rn')
    .stdout.split('\n')
    .filter((l) => l.startsWith(ip));
  if (rows.length === 0 || !rows.some((l) => new RegExp(word).test(l))) {
    throw new Error(`check_entry ${ip} ${word}: ${rows.length === 0 ? 'no line' : rows.join('\n')}`);
  }
}

/** check_entry_fail IP: no line of `netstat -rn` starts with IP. */
function checkEntryFail(env: AtfEnv, ip: string): void {
  const rows = env
    .run(SOCK_LOCAL, 'rump.netstat -rn')
    .stdout.split('\n')
    .filter((l) => l.startsWith(ip));
  if (rows.length > 0) throw new Error(`check_entry_fail ${ip}: ${rows.join('\n')}`);
}

function checkBoth(env: AtfEnv, ip: string, net: string): void {
  for (const word of ['UHl', 'lo0', 'link#2']) checkEntry(env, ip, word);
  for (const word of ['U', 'shmif0', 'link#2']) checkEntry(env, net, word);
}

describe('net/t_ipaddress', () => {
  reportSleeps('net/t_ipaddress.inet6');

  it('ipaddr_same_address6', () => {
    const env = new AtfEnv();
    const ip = 'fc00::1';
    const net = 'fc00::/64';
    env.rumpServerStart(SOCK_LOCAL, 'netinet6');
    const ignore = { o: 'ignore' } as const;
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 create', ignore);
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 linkstr ${BUS}`, ignore);
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 inet6 ${ip}`, ignore);
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 up', ignore);
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10', ignore);
    checkBoth(env, ip, net);
    // Delete the address.
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 inet6 ${ip} delete`, ignore);
    checkEntryFail(env, ip);
    checkEntryFail(env, net);
    // Assign the same address again.
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 inet6 ${ip}`, ignore);
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10', ignore);
    checkBoth(env, ip, net);
    // Delete the address again.
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 inet6 ${ip} delete`, ignore);
    checkEntryFail(env, ip);
    checkEntryFail(env, net);
  });

  it('ipaddr_auto_linklocal', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCK_LOCAL, 'netinet6');
    const ignore = { o: 'ignore' } as const;
    env.check(SOCK_LOCAL, 'rump.sysctl -n net.inet6.ip6.auto_linklocal', { o: { match: '1' } });
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 create', ignore);
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 linkstr ${BUS}`, ignore);
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 up', ignore);
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10', ignore);
    // IPv6 link-local address is set.
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif0', { o: { match: 'inet6 fe80::' } });
    env.check(SOCK_LOCAL, 'rump.sysctl -w -q net.inet6.ip6.auto_linklocal=0', ignore);
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif1 create', ignore);
    env.check(SOCK_LOCAL, `rump.ifconfig shmif1 linkstr ${BUS}`, ignore);
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif1 up', ignore);
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10', ignore);
    // IPv6 link-local address is not set.
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif1', { o: { notMatch: 'inet6 fe80::' } });
  });
});
