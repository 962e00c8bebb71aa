/**
 * Port of NetBSD tests/net/route/t_route.sh (rev 1.10), the IPv6 case (the IPv4 ones are in
 * t_route.test.ts): `route get -inet6` for a local address, a neighbour, and a remote host, and
 * a neighbour again once an NDP entry exists, compared with the original's expected text.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const SOCKSRC = 'unix://commsock1';
const SOCKFWD = 'unix://commsock2';
const SOCKDST = 'unix://commsock3';
const IP6SRC = 'fc00:0:0:1::2';
const IP6SRCGW = 'fc00:0:0:1::1';
const IP6DSTGW = 'fc00:0:0:2::1';
const IP6DST = 'fc00:0:0:2::2';
const TIMEOUT = 1;
const METRICS = ' recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire';

function setupEndpoint(env: AtfEnv, sock: string, addr: string, bus: string, gw: string): void {
  env.rumpServerAddIface(sock, 'shmif0', bus);
  env.check(sock, `rump.ifconfig shmif0 inet6 ${addr}`);
  env.check(sock, `rump.route add -inet6 default ${gw}`, { o: 'ignore' });
  env.check(sock, 'rump.ifconfig shmif0 up');
  env.check(sock, 'rump.ifconfig -w 10');
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
  env.check(SOCKFWD, 'rump.ifconfig -w 10');
}

/** `rump.route -n get -inet6 X > ./output; sed -i '$d' ./output; diff ./expect ./output`. */
function expectRouteGet(env: AtfEnv, target: string, expect: readonly string[]): void {
  const output = env.run(SOCKSRC, `rump.route -n get -inet6 ${target}`).stdout.split('\n');
  if (output.at(-1) === '') output.pop();
  output.pop();
  const want = [...expect, METRICS];
  if (output.join('\n') !== want.join('\n'))
    throw new Error(
      `diff ./expect ./output\n--- expect\n${want.join('\n')}\n--- output\n${output.join('\n')}`,
    );
}

const NEIGHBOR = [
  '   route to: fc00:0:0:1::1',
  'destination: fc00:0:0:1::',
  '       mask: ffff:ffff:ffff:ffff::',
  ' local addr: fc00:0:0:1::2',
  '  interface: shmif0',
  '      flags: <UP,DONE,CONNECTED>',
];

describe('route/t_route', () => {
  reportSleeps('route/t_route.inet6');

  it('route_command_get6', () => {
    const env = new AtfEnv();
    setup6(env);
    env.check(SOCKFWD, 'rump.sysctl -w net.inet6.ip6.forwarding=1', { o: 'ignore' });
    // Make sure an NDP cache to the gateway doesn't exist.
    env.run(SOCKSRC, `rump.ndp -d ${IP6SRCGW}`);
    expectRouteGet(env, IP6SRC, [
      '   route to: fc00:0:0:1::2',
      'destination: fc00:0:0:1::2',
      ' local addr: fc00:0:0:1::2',
      '  interface: lo0',
      '      flags: <UP,HOST,DONE,LLINFO,LOCAL>',
    ]);
    expectRouteGet(env, IP6SRCGW, NEIGHBOR);
    expectRouteGet(env, IP6DST, [
      '   route to: fc00:0:0:2::2',
      'destination: ::',
      '       mask: default',
      '    gateway: fc00:0:0:1::1',
      ' local addr: fc00:0:0:1::2',
      '  interface: shmif0',
      '      flags: <UP,GATEWAY,DONE,STATIC>',
    ]);
    // Create an NDP cache: a neighbour with one looks no different.
    env.check(SOCKSRC, `rump.ping6 -n -c 1 -X ${TIMEOUT} ${IP6SRCGW}`, { o: 'ignore' });
    expectRouteGet(env, IP6SRCGW, NEIGHBOR);
    env.rumpServerDestroyIfaces();
  });
});
