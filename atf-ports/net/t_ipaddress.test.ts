/**
 * Port of NetBSD tests/net/net/t_ipaddress.sh (rev 1.9), the IPv4 case: assigning and
 * deleting the same address twice leaves the local (UHl via lo0) and connected (UC)
 * routes exactly when the address is there. The IPv6 cases are listed in atf-ports/README.md.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const SOCK_LOCAL = 'unix://commsock1';
const BUS = 'bus';

describe('net/t_ipaddress', () => {
  reportSleeps('net/t_ipaddress');

  it('ipaddr_same_address', () => {
    const env = new AtfEnv();
    const ip = '10.0.0.1';
    const net = '10.0.0/24';
    env.rumpServerStart(SOCK_LOCAL);
    env.rumpServerAddIface(SOCK_LOCAL, 'shmif0', BUS);

    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 ${ip}/24`, { o: 'ignore' });
    env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 up', { o: 'ignore' });
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10', { o: 'ignore' });
    env.checkRoute(SOCK_LOCAL, ip, 'link#2', 'UHl', 'lo0');
    env.checkRoute(SOCK_LOCAL, net, 'link#2', 'UC', 'shmif0');

    // Delete the address.
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 ${ip} delete`, { o: 'ignore' });
    env.checkRouteNoEntry(SOCK_LOCAL, ip);
    env.checkRouteNoEntry(SOCK_LOCAL, net);

    // Assign the same address again.
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 ${ip}/24`, { o: 'ignore' });
    env.check(SOCK_LOCAL, 'rump.ifconfig -w 10', { o: 'ignore' });
    env.checkRoute(SOCK_LOCAL, ip, 'link#2', 'UHl', 'lo0');
    env.checkRoute(SOCK_LOCAL, net, 'link#2', 'UC', 'shmif0');

    // Delete it again.
    env.check(SOCK_LOCAL, `rump.ifconfig shmif0 ${ip} delete`, { o: 'ignore' });
    env.checkRouteNoEntry(SOCK_LOCAL, ip);
    env.checkRouteNoEntry(SOCK_LOCAL, net);

    env.rumpServerDestroyIfaces();
  });
});
