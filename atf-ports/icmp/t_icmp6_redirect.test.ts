/**
 * Port of NetBSD tests/net/icmp/t_icmp6_redirect.sh (rev 1.7): a router that forwards a
 * packet back out the link it came from redirects the sender to the better first hop; the
 * redirected route expires after net.inet6.icmp6.redirtimeout. `sleep` runs on the virtual clock.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';
import { getLinklocalAddr } from '../harness/net6.ts';

const SOCK_LOCAL = 'unix://commsock1';
const SOCK_PEER = 'unix://commsock2';
const SOCK_GW1 = 'unix://commsock3';
const SOCK_GW2 = 'unix://commsock4';
const BUS1 = 'bus1';
const BUS2 = 'bus2';
const IP6BUS2 = 'fc00:2::/64';
const IP6IF0_LOCAL = 'fc00:1::2';
const IP6IF0_PEER = 'fc00:2::2';
const IP6IF0_GW1 = 'fc00:1::1';
const IP6IF1_GW1 = 'fc00:2::1';
const IP6IF0_GW2 = 'fc00:1::3';
const REDIRECT_TIMEOUT = 5;

describe('icmp/t_icmp6_redirect', () => {
  reportSleeps('icmp/t_icmp6_redirect');

  it('icmp6_redirect_basic', () => {
    const env = new AtfEnv();
    for (const sock of [SOCK_LOCAL, SOCK_PEER, SOCK_GW1, SOCK_GW2]) env.rumpServerStart(sock, 'netinet6');

    // Gateway #1 (the real gateway).
    env.rumpServerAddIface(SOCK_GW1, 'shmif0', BUS1);
    env.rumpServerAddIface(SOCK_GW1, 'shmif1', BUS2);
    env.check(SOCK_GW1, `rump.ifconfig shmif0 inet6 ${IP6IF0_GW1}`);
    env.check(SOCK_GW1, 'rump.ifconfig shmif0 up');
    env.check(SOCK_GW1, `rump.ifconfig shmif1 inet6 ${IP6IF1_GW1}`);
    env.check(SOCK_GW1, 'rump.ifconfig shmif1 up');
    env.check(SOCK_GW1, 'rump.sysctl -w net.inet6.ip6.forwarding=1', { o: { match: '0.->.1' } });
    const gw1Lladdr0 = getLinklocalAddr(env, SOCK_GW1, 'shmif0');
    const gw1Lladdr1 = getLinklocalAddr(env, SOCK_GW1, 'shmif1');

    // A peer behind gateway #1.
    env.rumpServerAddIface(SOCK_PEER, 'shmif0', BUS2);
    env.check(SOCK_PEER, `rump.ifconfig shmif0 inet6 ${IP6IF0_PEER}`);
    env.check(SOCK_PEER, 'rump.ifconfig shmif0 up');
    env.check(SOCK_PEER, `rump.route add -inet6 default ${gw1Lladdr1}%shmif0`, { o: 'ignore' });

    // Gateway #2 (the fake gateway).
    env.rumpServerAddIface(SOCK_GW2, 'shmif0', BUS1);
    env.check(SOCK_GW2, `rump.ifconfig shmif0 inet6 ${IP6IF0_GW2}`);
    env.check(SOCK_GW2, 'rump.ifconfig shmif0 up');
    env.check(SOCK_GW2, `rump.route add -inet6 ${IP6BUS2} ${gw1Lladdr0}%shmif0`, { o: 'ignore' });
    env.check(SOCK_GW2, 'rump.sysctl -w net.inet6.ip6.forwarding=1', { o: { match: '0.->.1' } });
    const gw2Lladdr0 = getLinklocalAddr(env, SOCK_GW2, 'shmif0');

    env.rumpServerAddIface(SOCK_LOCAL, 'shmif0', BUS1);
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 inet6 ${IP6IF0_LOCAL}`);
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 up');
    // Teach the fake gateway as the default gateway.
    env.check(SOCK_LOCAL, `rump.route add -inet6 default ${gw2Lladdr0}%shmif0`, { o: 'ignore' });
    env.check(SOCK_LOCAL, `rump.sysctl -w net.inet6.icmp6.redirtimeout=${REDIRECT_TIMEOUT}`, { o: 'ignore' });

    env.check(SOCK_LOCAL, `rump.ping6 -c 1 -n ${IP6IF0_PEER}`, { o: 'ignore' });
    // The created route is redirected to gateway #1.
    env.check(SOCK_LOCAL, `rump.route get -inet6 ${IP6IF0_PEER}`, { o: { match: `gateway: ${gw1Lladdr0}` } });
    env.sleep(REDIRECT_TIMEOUT + 2);
    // The created route has expired.
    env.check(SOCK_LOCAL, `rump.route get -inet6 ${IP6IF0_PEER}`, {
      o: { notMatch: `gateway: ${gw1Lladdr0}` },
    });
    env.rumpServerDestroyIfaces();
  });
});
