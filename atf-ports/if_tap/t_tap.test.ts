/**
 * Port of NetBSD tests/net/if_tap/t_tap.sh: tap(4) created and destroyed in every state, a tap
 * nobody opened is a link of its own, and a tap bridged with shmif0 is reachable through it.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';
import { testCreateDestroyCommon } from '../harness/net6.ts';

const SOCK_LOCAL = 'unix://commsock1';
const SOCK_REMOTE = 'unix://commsock2';
const BUS = 'bus1';
const IP4_LOCAL = '10.0.0.1';
const IP4_TAP = '10.0.0.2';
const IP4_REMOTE = '10.0.0.3';
const IP6_LOCAL = 'fc00::1';
const IP6_TAP = 'fc00::2';
const IP6_REMOTE = 'fc00::3';
const TIMEOUT = 1;

function configure(env: AtfEnv, sock: string, ifname: string, ip4: string, ip6: string): void {
  env.check(sock, `rump.ifconfig ${ifname} ${ip4}`);
  env.check(sock, `rump.ifconfig ${ifname} inet6 ${ip6}`);
  env.check(sock, `rump.ifconfig ${ifname} up`);
}

describe('if_tap/t_tap', () => {
  reportSleeps('if_tap/t_tap');

  it('tap_create_destroy', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCK_LOCAL, 'netinet6', 'tap');
    testCreateDestroyCommon(env, SOCK_LOCAL, 'tap0', true);
  });

  it('tap_stand_alone', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCK_LOCAL, 'netinet6', 'tap');
    env.rumpServerStart(SOCK_REMOTE, 'netinet6', 'tap');
    env.rumpServerAddIface(SOCK_LOCAL, 'shmif0', BUS);
    env.rumpServerAddIface(SOCK_REMOTE, 'shmif0', BUS);
    configure(env, SOCK_LOCAL, 'shmif0', IP4_LOCAL, IP6_LOCAL);
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10');
    configure(env, SOCK_REMOTE, 'shmif0', IP4_REMOTE, IP6_REMOTE);
    env.check(SOCK_REMOTE, 'rump.ifconfig -w 10');
    env.check(SOCK_REMOTE, `rump.ping -n -w ${TIMEOUT} -c 1 ${IP4_LOCAL}`, { o: 'ignore' });
    env.check(SOCK_REMOTE, `rump.ping6 -n -X ${TIMEOUT} -c 1 ${IP6_LOCAL}`, { o: 'ignore' });

    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 ${IP4_LOCAL} delete`);
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 inet6 ${IP6_LOCAL} delete`);
    env.check(SOCK_LOCAL, 'rump.ifconfig tap0 create');
    configure(env, SOCK_LOCAL, 'tap0', IP4_TAP, IP6_TAP);
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10');
    // Cannot reach to an alone tap.
    const fail = { s: 'not-exit:0', o: 'ignore', e: 'ignore' } as const;
    env.check(SOCK_REMOTE, `rump.ping6 -n -X ${TIMEOUT} -c 1 ${IP6_TAP}`, fail);
    env.check(SOCK_REMOTE, `rump.ping -n -w ${TIMEOUT} -c 1 ${IP4_TAP}`, fail);
    env.rumpServerDestroyIfaces();
  });

  it('tap_bridged', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCK_LOCAL, 'netinet6', 'tap', 'bridge');
    env.rumpServerStart(SOCK_REMOTE, 'netinet6', 'tap');
    env.rumpServerAddIface(SOCK_LOCAL, 'shmif0', BUS);
    env.rumpServerAddIface(SOCK_REMOTE, 'shmif0', BUS);
    configure(env, SOCK_LOCAL, 'shmif0', IP4_LOCAL, IP6_LOCAL);
    env.check(SOCK_LOCAL, 'rump.ifconfig tap0 create');
    configure(env, SOCK_LOCAL, 'tap0', IP4_TAP, IP6_TAP);
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10');
    env.check(SOCK_LOCAL, 'rump.ifconfig bridge0 create');
    env.check(SOCK_LOCAL, 'rump.ifconfig bridge0 up');
    env.check(SOCK_LOCAL, 'brconfig bridge0 add shmif0');
    env.check(SOCK_LOCAL, 'brconfig bridge0 add tap0');

    configure(env, SOCK_REMOTE, 'shmif0', IP4_REMOTE, IP6_REMOTE);
    env.check(SOCK_REMOTE, 'rump.ifconfig -w 10');
    for (const ip of [IP4_LOCAL, IP4_TAP])
      env.check(SOCK_REMOTE, `rump.ping -n -w ${TIMEOUT} -c 1 ${ip}`, { o: 'ignore' });
    for (const ip of [IP6_LOCAL, IP6_TAP])
      env.check(SOCK_REMOTE, `rump.ping6 -n -X ${TIMEOUT} -c 1 ${ip}`, { o: 'ignore' });
    env.rumpServerDestroyIfaces();
  });
});
