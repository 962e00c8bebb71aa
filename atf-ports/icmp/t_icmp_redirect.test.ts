/**
 * Port of NetBSD tests/net/icmp/t_icmp_redirect.sh (rev 1.6): a router forwarding back out
 * the interface a packet came in on redirects the sender (net.inet.ip.redirect), the host
 * installs a dynamic host route, and the route expires after net.inet.icmp.redirtimeout.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const SOCK_LOCAL = 'unix://commsock1';
const SOCK_PEER = 'unix://commsock2';
const SOCK_GW = 'unix://commsock3';
const BUS = 'bus1';
const BUS2 = 'bus2';
const REDIRECT_TIMEOUT = 5;
const PING = 'rump.ping -n -w 1 -c 1';

function setupLocal(env: AtfEnv): void {
  env.rumpServerStart(SOCK_LOCAL);
  env.rumpServerAddIface(SOCK_LOCAL, 'shmif0', BUS);
  env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 10.0.0.2/24', { o: 'ignore' });
  env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 up', { o: 'ignore' });
  env.check(SOCK_LOCAL, `rump.sysctl -w net.inet.icmp.redirtimeout=${REDIRECT_TIMEOUT}`, { o: 'ignore' });
}

function setupPeer(env: AtfEnv): void {
  env.rumpServerStart(SOCK_PEER);
  env.rumpServerAddIface(SOCK_PEER, 'shmif0', BUS);
  env.check(SOCK_PEER, 'rump.ifconfig shmif0 10.0.0.1/24', { o: 'ignore' });
  env.check(SOCK_PEER, 'rump.ifconfig shmif0 up', { o: 'ignore' });
}

function setupGw(env: AtfEnv): void {
  env.rumpServerStart(SOCK_GW);
  env.rumpServerAddIface(SOCK_GW, 'shmif0', BUS);
  env.rumpServerAddIface(SOCK_GW, 'shmif1', BUS2);
  env.check(SOCK_GW, 'rump.ifconfig shmif0 10.0.0.254/24', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif0 up', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif1 10.0.2.1/24', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif1 alias 10.0.2.2/24', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif1 up', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig -w 10', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif1', { o: { notMatch: 'tentative' } });
}

/** The common start: 10.0.2.0/24 behind GW for the peer, the peer as LOCAL's default. */
function setupRoutes(env: AtfEnv): void {
  env.check(SOCK_PEER, 'rump.route add -net 10.0.2.0/24 10.0.0.254', { o: 'ignore' });
  env.checkRouteFlags(SOCK_PEER, '10.0.2/24', 'UGS');
  env.check(SOCK_LOCAL, 'rump.route add default 10.0.0.1', { o: 'ignore' });
  env.checkRouteFlags(SOCK_LOCAL, 'default', 'UGS');
}

const setRedirect = (env: AtfEnv, on: 0 | 1): void => {
  env.check(SOCK_PEER, `rump.sysctl -w net.inet.ip.redirect=${on}`, { o: 'ignore' });
};

describe('icmp/t_icmp_redirect', () => {
  reportSleeps('icmp/t_icmp_redirect');

  it('icmp_redirect', () => {
    const env = new AtfEnv();
    setupLocal(env);
    setupPeer(env);
    setupGw(env);
    setupRoutes(env);

    // Redirects are not sent by the peer.
    setRedirect(env, 0);
    env.check(SOCK_LOCAL, `${PING} 10.0.2.1`, { o: 'ignore' });
    env.checkRouteNoEntry(SOCK_LOCAL, '10.0.2.1');

    // Redirects are sent by the peer.
    setRedirect(env, 1);
    env.check(SOCK_LOCAL, `${PING} 10.0.2.1`, { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.2.1', 'UGHD');
    env.checkRouteGw(SOCK_LOCAL, '10.0.2.1', '10.0.0.254');

    env.check(SOCK_LOCAL, 'rump.route delete 10.0.2.1', { o: 'ignore' });
    env.checkRouteNoEntry(SOCK_LOCAL, '10.0.2.1');

    // Not sent again.
    setRedirect(env, 0);
    env.check(SOCK_LOCAL, `${PING} 10.0.2.1`, { o: 'ignore' });
    env.checkRouteNoEntry(SOCK_LOCAL, '10.0.2.1');

    env.rumpServerDestroyIfaces();
  });

  it('icmp_redirect_timeout', () => {
    const env = new AtfEnv();
    setupLocal(env);
    setupPeer(env);
    setupGw(env);
    setupRoutes(env);

    env.check(SOCK_LOCAL, `${PING} 10.0.2.1`, { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.2.1', 'UGHD');
    env.checkRouteGw(SOCK_LOCAL, '10.0.2.1', '10.0.0.254');

    env.sleep(REDIRECT_TIMEOUT + 2);
    // The dynamic entry has expired and is gone.
    env.checkRouteNoEntry(SOCK_LOCAL, '10.0.2.1');

    env.rumpServerDestroyIfaces();
  });
});
