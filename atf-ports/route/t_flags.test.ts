/**
 * Port of NetBSD tests/net/route/t_flags.sh (rev 1.15): the netstat -rn flag letters of
 * local, connected, default, static, blackhole, reject, redirect-made and proxy routes.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const SOCK_LOCAL = 'unix://commsock1';
const SOCK_PEER = 'unix://commsock2';
const SOCK_GW = 'unix://commsock3';
const BUS = 'bus1';
const BUS2 = 'bus2';

function setupLocal(env: AtfEnv): void {
  env.rumpServerStart(SOCK_LOCAL);
  env.rumpServerAddIface(SOCK_LOCAL, 'shmif0', BUS);
  env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 10.0.0.2/24', { o: 'ignore' });
  env.check(SOCK_LOCAL, 'rump.ifconfig shmif0 up', { o: 'ignore' });
  env.check(SOCK_LOCAL, 'rump.ifconfig -w 10', { o: 'ignore' });
}

function setupPeer(env: AtfEnv): void {
  env.rumpServerStart(SOCK_PEER);
  env.rumpServerAddIface(SOCK_PEER, 'shmif0', BUS);
  env.check(SOCK_PEER, 'rump.ifconfig shmif0 10.0.0.1/24', { o: 'ignore' });
  env.check(SOCK_PEER, 'rump.ifconfig shmif0 up', { o: 'ignore' });
  env.check(SOCK_PEER, 'rump.ifconfig -w 10', { o: 'ignore' });
}

/** setup_gw: 10.0.0.254 on bus1, 10.0.2.1 and 10.0.2.2 behind it on bus2. */
function setupGw(env: AtfEnv): void {
  env.rumpServerStart(SOCK_GW);
  env.rumpServerAddIface(SOCK_GW, 'shmif0', BUS);
  env.rumpServerAddIface(SOCK_GW, 'shmif1', BUS2);
  env.check(SOCK_GW, 'rump.ifconfig shmif0 10.0.0.254/24', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif0 up', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif1 10.0.2.1/24', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif1 alias 10.0.2.2/24', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif1 up', { o: 'ignore' });
  // Wait until DAD completes (10 s at most).
  env.check(SOCK_GW, 'rump.ifconfig -w 10', { o: 'ignore' });
  env.check(SOCK_GW, 'rump.ifconfig shmif1', { o: { notMatch: 'tentative' } });
}

const PING = 'rump.ping -n -w 1 -c 1';

const tests: Record<string, (env: AtfEnv) => void> = {
  lo: (env) => {
    // Up, Host, local
    env.checkRouteFlags(SOCK_LOCAL, '127.0.0.1', 'UHl');
  },
  connected: (env) => {
    env.checkRouteFlags(SOCK_LOCAL, '10.0.0.2', 'UHl');
    // Up, Connected
    env.checkRouteFlags(SOCK_LOCAL, '10.0.0/24', 'UC');
  },
  default_gateway: (env) => {
    env.check(SOCK_LOCAL, 'rump.route add default 10.0.0.1', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, 'default', 'UGS');
  },
  static: (env) => {
    env.check(SOCK_LOCAL, 'rump.route add 10.0.1.1 10.0.0.1', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.1.1', 'UGHS');
    env.check(SOCK_LOCAL, 'rump.route add -net 10.0.2.0/24 10.0.0.1', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.2/24', 'UGS');
  },
  blackhole: (env) => {
    env.check(SOCK_LOCAL, `${PING} 10.0.0.1`, { o: 'ignore' });
    env.check(SOCK_LOCAL, 'rump.route delete -net 10.0.0.0/24', { o: 'ignore' });
    // The gateway must be lo0.
    env.check(SOCK_LOCAL, 'rump.route add -net 10.0.0.0/24 127.0.0.1 -blackhole', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.0/24', 'UGBS');
    env.check(SOCK_LOCAL, `${PING} 10.0.0.1`, { s: 'not-exit:0', o: { match: '100.0% packet loss' } });
    // No L2 entry is created.
    env.checkRouteNoEntry(SOCK_LOCAL, '10.0.0.1');
  },
  reject: (env) => {
    env.check(SOCK_LOCAL, 'rump.route delete -net 10.0.0.0/24', { o: 'ignore' });
    env.check(SOCK_LOCAL, 'rump.route add -net 10.0.0.0/24 10.0.0.1 -reject', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.0/24', 'UGRS');
    env.check(SOCK_LOCAL, `${PING} 10.0.0.1`, {
      s: 'not-exit:0',
      o: 'ignore',
      e: { match: 'No route to host' },
    });
    env.checkRouteNoEntry(SOCK_LOCAL, '10.0.0.1');

    // The gateway is lo0 (RTF_GATEWAY).
    env.check(SOCK_LOCAL, 'rump.route delete -net 10.0.0.0/24', { o: 'ignore' });
    env.check(SOCK_LOCAL, 'rump.route add -net 10.0.0.0/24 127.0.0.1 -reject', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.0/24', 'UGRS');
    env.check(SOCK_LOCAL, `${PING} 10.0.0.1`, {
      s: 'not-exit:0',
      o: 'ignore',
      e: { match: 'Network is unreachable' },
    });
    env.checkRouteNoEntry(SOCK_LOCAL, '10.0.0.1');

    // The gateway is lo0 (RTF_HOST).
    env.check(SOCK_LOCAL, 'rump.route delete -net 10.0.0.0/24', { o: 'ignore' });
    env.check(SOCK_LOCAL, 'rump.route add -host 10.0.0.1/24 127.0.0.1 -iface -reject', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.0.1', 'UHRS');
    env.check(SOCK_LOCAL, `${PING} 10.0.0.1`, {
      s: 'not-exit:0',
      o: 'ignore',
      e: { match: 'No route to host' },
    });
  },
  icmp_redirect: (env) => {
    // Dynamic: 10.0.2.1 is behind the gateway 10.0.0.254.
    setupGw(env);
    env.check(SOCK_PEER, 'rump.route add -net 10.0.2.0/24 10.0.0.254', { o: 'ignore' });
    env.checkRouteFlags(SOCK_PEER, '10.0.2/24', 'UGS');
    env.check(SOCK_LOCAL, 'rump.route add default 10.0.0.1', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, 'default', 'UGS');
    env.check(SOCK_LOCAL, `${PING} 10.0.2.1`, { o: 'ignore' });
    // Up, Gateway, Host, Dynamic
    env.checkRouteFlags(SOCK_LOCAL, '10.0.2.1', 'UGHD');
    env.checkRouteGw(SOCK_LOCAL, '10.0.2.1', '10.0.0.254');

    // Modified: a wrong static route to 10.0.2.2 is corrected by a redirect.
    env.check(SOCK_LOCAL, 'rump.route add 10.0.2.2 10.0.0.1', { o: 'ignore' });
    env.checkRouteFlags(SOCK_LOCAL, '10.0.2.2', 'UGHS');
    env.checkRouteGw(SOCK_LOCAL, '10.0.2.2', '10.0.0.1');
    env.check(SOCK_LOCAL, `${PING} 10.0.2.2`, { o: 'ignore' });
    // Up, Gateway, Host, Modified, Static
    env.checkRouteFlags(SOCK_LOCAL, '10.0.2.2', 'UGHMS');
    env.checkRouteGw(SOCK_LOCAL, '10.0.2.2', '10.0.0.254');
  },
  announce: (env) => {
    env.check(SOCK_LOCAL, 'rump.route delete -net 10.0.0.0/24', { o: 'ignore' });
    env.check(SOCK_LOCAL, 'rump.route add -net 10.0.0.0/24 10.0.0.1 -proxy', { o: 'ignore' });
    // Up, Gateway, Static, proxy
    env.checkRouteFlags(SOCK_LOCAL, '10.0.0/24', 'UGSp');
  },
};

describe('route/t_flags', () => {
  reportSleeps('route/t_flags');

  // add_test NAME: route_flags_NAME runs setup_local, setup_peer, test_NAME, destroy.
  for (const [name, body] of Object.entries(tests)) {
    it(`route_flags_${name}`, () => {
      const env = new AtfEnv();
      setupLocal(env);
      setupPeer(env);
      body(env);
      env.rumpServerDestroyIfaces();
    });
  }
});
