/**
 * Port of NetBSD tests/net/net/t_forwarding.sh (rev 1.19), the IPv6 cases (the IPv4 ones are
 * in t_forwarding.test.ts): forwarding on and off, hop limit expiry with the ICMPv6 time
 * exceeded ping6 -v reports, and a fetch through the router right after `arp -d -a` there.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';
import { startHttpd6 } from '../harness/net6.ts';

const SOCKSRC = 'unix://commsock1';
const SOCKFWD = 'unix://commsock2';
const SOCKDST = 'unix://commsock3';
const IP6SRC = 'fc00:0:0:1::2';
const IP6SRCGW = 'fc00:0:0:1::1';
const IP6DSTGW = 'fc00:0:0:2::1';
const IP6DST = 'fc00:0:0:2::2';
const TIMEOUT = 5;

function setupEndpoint(env: AtfEnv, sock: string, addr: string, bus: string, gw: string): void {
  env.rumpServerAddIface(sock, 'shmif0', bus);
  env.check(sock, `rump.ifconfig shmif0 inet6 ${addr}`);
  // The default route goes in before the interface is up.
  env.check(sock, `rump.route add -inet6 default ${gw}`, { o: 'ignore' });
  env.check(sock, 'rump.ifconfig shmif0 up');
}

function setup6(env: AtfEnv): void {
  for (const sock of [SOCKSRC, SOCKFWD, SOCKDST]) env.rumpServerStart(sock, 'netinet6');
  setupEndpoint(env, SOCKSRC, IP6SRC, 'bus1', IP6SRCGW);
  setupEndpoint(env, SOCKDST, IP6DST, 'bus2', IP6DSTGW);
  env.rumpServerAddIface(SOCKFWD, 'shmif0', 'bus1');
  env.rumpServerAddIface(SOCKFWD, 'shmif1', 'bus2');
  env.check(SOCKFWD, `rump.ifconfig shmif0 inet6 ${IP6SRCGW}`);
  env.check(SOCKFWD, `rump.ifconfig shmif1 inet6 ${IP6DSTGW}`);
  env.check(SOCKFWD, 'rump.ifconfig shmif0 up');
  env.check(SOCKFWD, 'rump.ifconfig shmif1 up');
}

const PING6 = `rump.ping6 -n -c 1 -X ${TIMEOUT}`;
const PING6Q = `rump.ping6 -q -n -c 1 -X ${TIMEOUT}`;

function testSetup6(env: AtfEnv): void {
  for (const [sock, addr] of [
    [SOCKSRC, IP6SRC],
    [SOCKDST, IP6DST],
  ] as const) {
    env.check(sock, 'rump.ifconfig', { o: { match: 'shmif0' } });
    env.check(sock, `${PING6} ${addr}`, { o: 'ignore' });
  }
  env.check(SOCKFWD, 'rump.ifconfig', { o: { match: 'shmif0' } });
  env.check(SOCKFWD, 'rump.ifconfig', { o: { match: 'shmif1' } });
  env.check(SOCKFWD, `${PING6} ${IP6SRCGW}`, { o: 'ignore' });
  env.check(SOCKFWD, `${PING6} ${IP6DSTGW}`, { o: 'ignore' });
}

describe('net/t_forwarding', () => {
  reportSleeps('net/t_forwarding.inet6');

  it('ipforwarding_v6', () => {
    const env = new AtfEnv();
    setup6(env);
    testSetup6(env);

    env.check(SOCKFWD, 'rump.sysctl -w net.inet6.ip6.forwarding=1', { o: 'ignore' });
    env.check(SOCKFWD, 'rump.sysctl net.inet6.ip6.forwarding', {
      o: { match: 'net.inet6.ip6.forwarding = 1' },
    });
    // test_ping6_success
    env.check(SOCKSRC, `${PING6Q} ${IP6SRCGW}`, { o: 'ignore' });
    env.check(SOCKSRC, `${PING6Q} ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKDST, `${PING6Q} ${IP6DSTGW}`, { o: 'ignore' });
    env.check(SOCKDST, `${PING6Q} ${IP6SRC}`, { o: 'ignore' });
    // test_hoplimit
    env.check(SOCKSRC, `rump.ping6 -q -n -c 1 -h 1 -X ${TIMEOUT} ${IP6SRCGW}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ping6 -v -n -c 1 -h 1 -X ${TIMEOUT} ${IP6DST}`, {
      s: 'not-exit:0',
      o: { match: 'Time to live exceeded' },
    });
    env.check(SOCKSRC, `rump.ping6 -q -n -c 1 -h 2 -X ${TIMEOUT} ${IP6DST}`, { o: 'ignore' });

    env.check(SOCKFWD, 'rump.sysctl -w net.inet6.ip6.forwarding=0', { o: 'ignore' });
    env.check(SOCKFWD, 'rump.sysctl net.inet6.ip6.forwarding', {
      o: { match: 'net.inet6.ip6.forwarding = 0' },
    });
    // test_ping6_failure
    env.check(SOCKSRC, `${PING6Q} ${IP6DST}`, { s: 'not-exit:0', o: 'ignore' });
    env.check(SOCKDST, `${PING6Q} ${IP6SRC}`, { s: 'not-exit:0', o: 'ignore' });
    env.rumpServerDestroyIfaces();
  });

  it('ipforwarding_fastforward_v6', () => {
    const env = new AtfEnv();
    setup6(env);
    testSetup6(env);
    env.check(SOCKFWD, 'rump.sysctl -w net.inet6.ip6.forwarding=1', { o: 'ignore' });
    env.check(SOCKFWD, 'rump.sysctl net.inet6.ip6.forwarding', {
      o: { match: 'net.inet6.ip6.forwarding = 1' },
    });
    startHttpd6(env, SOCKDST, IP6DST);
    // test_http_get: the original flushes the ARP cache of the router (harmless for IPv6).
    env.check(SOCKFWD, 'rump.arp -d -a');
    env.check(SOCKSRC, `ftp -q ${TIMEOUT} -o out http://[${IP6DST}]/index.html`);
    env.rumpServerDestroyIfaces();
  });
});
