/**
 * Port of NetBSD tests/net/route/t_route.sh (rev 1.10), the IPv4 cases: a gateway outside
 * the local subnet reached through interface (link) routes, and `route get` output.
 * route_command_get6 is IPv6 and listed in atf-ports/README.md.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

// non_subnet_gateway
const SOCK_CLIENT = 'unix://commsock1';
const SOCK_GW = 'unix://commsock2';
const BUS = 'bus1';

// command_get
const SOCKSRC = 'unix://commsock1';
const SOCKFWD = 'unix://commsock2';
const SOCKDST = 'unix://commsock3';
const IP4SRC = '10.0.1.2';
const IP4SRCGW = '10.0.1.1';
const IP4DSTGW = '10.0.2.1';
const IP4DST = '10.0.2.2';
const BUS_SRCGW = 'bus1';
const BUS_DSTGW = 'bus2';

const TIMEOUT = 1;
const PING_OPTS = `-n -c 1 -w ${TIMEOUT}`;

function setupEndpoint(env: AtfEnv, sock: string, addr: string, bus: string, gw: string): void {
  env.rumpServerAddIface(sock, 'shmif0', bus);
  env.check(sock, `rump.ifconfig shmif0 inet ${addr} netmask 0xffffff00`);
  env.check(sock, `rump.route add default ${gw}`, { o: 'ignore' });
  env.check(sock, 'rump.ifconfig shmif0 up');
  env.check(sock, 'rump.ifconfig -w 10');
}

function setupForwarder(env: AtfEnv): void {
  env.rumpServerAddIface(SOCKFWD, 'shmif0', BUS_SRCGW);
  env.rumpServerAddIface(SOCKFWD, 'shmif1', BUS_DSTGW);
  env.check(SOCKFWD, `rump.ifconfig shmif0 inet ${IP4SRCGW} netmask 0xffffff00`);
  env.check(SOCKFWD, `rump.ifconfig shmif1 inet ${IP4DSTGW} netmask 0xffffff00`);
  env.check(SOCKFWD, 'rump.ifconfig shmif0 up');
  env.check(SOCKFWD, 'rump.ifconfig shmif1 up');
  env.check(SOCKFWD, 'rump.ifconfig -w 10');
}

/** `rump.route -n get X > ./output; sed -i '$d' ./output; diff ./expect ./output`. */
function checkRouteGet(env: AtfEnv, target: string, expect: readonly string[]): void {
  const output = env.run(SOCKSRC, `rump.route -n get ${target}`).stdout.split('\n');
  // The last line (the metric values) is dropped: expire is unstable on a rump kernel.
  if (output.at(-1) === '') output.pop();
  output.pop();
  const want = expect.join('\n');
  const got = output.join('\n');
  if (got !== want)
    throw new Error(
      `diff ./expect ./output for route get ${target}\n--- expect\n${want}\n--- output\n${got}`,
    );
}

const METRICS_HEADER = ' recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire';

const NEIGHBOR = [
  '   route to: 10.0.1.1',
  'destination: 10.0.1.0',
  '       mask: 255.255.255.0',
  ' local addr: 10.0.1.2',
  '  interface: shmif0',
  '      flags: <UP,DONE,CONNECTED>',
  METRICS_HEADER,
];

describe('route/t_route', () => {
  reportSleeps('route/t_route');

  it('route_non_subnet_gateway', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCK_CLIENT);
    env.rumpServerStart(SOCK_GW);

    env.rumpServerAddIface(SOCK_GW, 'shmif0', BUS);
    env.check(SOCK_GW, 'rump.ifconfig shmif0 192.168.0.1');
    env.check(SOCK_GW, 'rump.ifconfig shmif0 up');
    // The gateway knows the client.
    env.check(SOCK_GW, 'rump.route add -net 10.0.0.1/32 -link -cloning -iface shmif0', {
      o: { match: 'add net 10.0.0.1: gateway shmif0' },
    });

    env.rumpServerAddIface(SOCK_CLIENT, 'shmif0', BUS);
    env.check(SOCK_CLIENT, 'rump.ifconfig shmif0 10.0.0.1/32');
    env.check(SOCK_CLIENT, 'rump.ifconfig shmif0 up');
    env.check(SOCK_CLIENT, 'rump.ifconfig -w 10');

    // No route to the gateway yet.
    env.check(SOCK_CLIENT, `rump.ping ${PING_OPTS} 192.168.0.1`, {
      s: 'not-exit:0',
      o: { match: '100.0% packet loss' },
      e: { match: 'No route to host' },
    });

    // Teach a route to the gateway.
    env.check(SOCK_CLIENT, 'rump.route add -net 192.168.0.1/32 -link -cloning -iface shmif0', {
      o: { match: 'add net 192.168.0.1: gateway shmif0' },
    });
    env.check(SOCK_CLIENT, 'rump.route add default -ifa 10.0.0.1 192.168.0.1', {
      o: { match: 'add net default: gateway 192.168.0.1' },
    });

    // The gateway is reachable now.
    env.check(SOCK_CLIENT, `rump.ping ${PING_OPTS} 192.168.0.1`, { o: 'ignore' });

    env.rumpServerDestroyIfaces();
  });

  it('route_command_get', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCKSRC);
    env.rumpServerStart(SOCKFWD);
    env.rumpServerStart(SOCKDST);
    setupEndpoint(env, SOCKSRC, IP4SRC, BUS_SRCGW, IP4SRCGW);
    setupEndpoint(env, SOCKDST, IP4DST, BUS_DSTGW, IP4DSTGW);
    setupForwarder(env);
    env.check(SOCKFWD, 'rump.sysctl -w net.inet.ip.forwarding=1', { o: 'ignore' });

    // Make sure no ARP entry for the gateway exists (status ignored, as the original does).
    env.run(SOCKSRC, `rump.arp -d ${IP4SRCGW}`);

    // Local
    checkRouteGet(env, IP4SRC, [
      '   route to: 10.0.1.2',
      'destination: 10.0.1.2',
      ' local addr: 10.0.1.2',
      '  interface: lo0',
      '      flags: <UP,HOST,DONE,LLINFO,LOCAL>',
      METRICS_HEADER,
    ]);
    // Neighbour
    checkRouteGet(env, IP4SRCGW, NEIGHBOR);
    // Remote host
    checkRouteGet(env, IP4DST, [
      '   route to: 10.0.2.2',
      'destination: default',
      '       mask: default',
      '    gateway: 10.0.1.1',
      ' local addr: 10.0.1.2',
      '  interface: shmif0',
      '      flags: <UP,GATEWAY,DONE,STATIC>',
      METRICS_HEADER,
    ]);

    // An ARP entry changes nothing in the answer.
    env.check(SOCKSRC, `rump.ping -q -n -w ${TIMEOUT} -c 1 ${IP4SRCGW}`, { o: 'ignore' });
    checkRouteGet(env, IP4SRCGW, NEIGHBOR);

    env.rumpServerDestroyIfaces();
  });
});
