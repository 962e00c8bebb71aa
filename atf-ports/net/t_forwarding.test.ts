/**
 * Port of NetBSD tests/net/net/t_forwarding.sh (rev 1.19), the IPv4 cases: forwarding on
 * and off, a fetch through a router whose ARP cache was just flushed, TTL expiry, directed
 * broadcast and the default TTL sysctl. The IPv6 cases are listed in atf-ports/README.md.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const SOCKSRC = 'unix://commsock1';
const SOCKFWD = 'unix://commsock2';
const SOCKDST = 'unix://commsock3';
const IP4SRC = '10.0.1.2';
const IP4SRCGW = '10.0.1.1';
const IP4DSTGW = '10.0.2.1';
const IP4DST = '10.0.2.2';
const IP4DST_BCAST = '10.0.2.255';
const HTML_FILE = 'index.html';
const TIMEOUT = 5;

function setupEndpoint(env: AtfEnv, sock: string, addr: string, bus: string, gw: string): void {
  env.rumpServerAddIface(sock, 'shmif0', bus);
  env.check(sock, `rump.ifconfig shmif0 inet ${addr} netmask 0xffffff00`);
  // The default route goes in before the interface is up.
  env.check(sock, `rump.route add default ${gw}`, { o: 'ignore' });
  env.check(sock, 'rump.ifconfig shmif0 up');
}

function testEndpoint(env: AtfEnv, sock: string, addr: string): void {
  env.check(sock, 'rump.ifconfig', { o: { match: 'shmif0' } });
  env.check(sock, `rump.ping -n -w ${TIMEOUT} -c 1 ${addr}`, { o: 'ignore' });
}

function setupForwarder(env: AtfEnv): void {
  env.rumpServerAddIface(SOCKFWD, 'shmif0', 'bus1');
  env.rumpServerAddIface(SOCKFWD, 'shmif1', 'bus2');
  env.check(SOCKFWD, `rump.ifconfig shmif0 inet ${IP4SRCGW} netmask 0xffffff00`);
  env.check(SOCKFWD, `rump.ifconfig shmif1 inet ${IP4DSTGW} netmask 0xffffff00`);
  env.check(SOCKFWD, 'rump.ifconfig shmif0 up');
  env.check(SOCKFWD, 'rump.ifconfig shmif1 up');
}

function setup(env: AtfEnv): void {
  env.rumpServerStart(SOCKSRC);
  env.rumpServerStart(SOCKFWD);
  env.rumpServerStart(SOCKDST);
  setupEndpoint(env, SOCKSRC, IP4SRC, 'bus1', IP4SRCGW);
  setupEndpoint(env, SOCKDST, IP4DST, 'bus2', IP4DSTGW);
  setupForwarder(env);
}

function testSetup(env: AtfEnv): void {
  testEndpoint(env, SOCKSRC, IP4SRC);
  testEndpoint(env, SOCKDST, IP4DST);
  env.check(SOCKFWD, 'rump.ifconfig', { o: { match: 'shmif0' } });
  env.check(SOCKFWD, 'rump.ifconfig', { o: { match: 'shmif1' } });
  env.check(SOCKFWD, `rump.ping -n -w ${TIMEOUT} -c 1 ${IP4SRCGW}`, { o: 'ignore' });
  env.check(SOCKFWD, `rump.ping -n -w ${TIMEOUT} -c 1 ${IP4DSTGW}`, { o: 'ignore' });
}

const sysctlW = (env: AtfEnv, sock: string, setting: string): void => {
  env.check(sock, `rump.sysctl -w ${setting}`, { o: 'ignore' });
};

function setupForwarding(env: AtfEnv): void {
  sysctlW(env, SOCKFWD, 'net.inet.ip.forwarding=1');
}

function testSetupForwarding(env: AtfEnv): void {
  env.check(SOCKFWD, 'rump.sysctl net.inet.ip.forwarding', { o: { match: 'net.inet.ip.forwarding = 1' } });
}

/** ftp -q TIMEOUT -o out http://IP/index.html through the hijack library, from SRC. */
const ftpGet = (ip: string): string => `ftp -q ${TIMEOUT} -o out http://${ip}/${HTML_FILE}`;

function testHttpGet(env: AtfEnv, ip: string): void {
  env.check(SOCKFWD, 'rump.arp -d -a');
  env.check(SOCKSRC, ftpGet(ip));
}

const PINGQ = `rump.ping -q -n -w ${TIMEOUT} -c 1`;

function testPingFailure(env: AtfEnv): void {
  env.check(SOCKSRC, `${PINGQ} ${IP4DST}`, { s: 'not-exit:0', o: 'ignore' });
  env.check(SOCKDST, `${PINGQ} ${IP4SRC}`, { s: 'not-exit:0', o: 'ignore' });
}

function testPingSuccess(env: AtfEnv): void {
  env.check(SOCKSRC, `${PINGQ} ${IP4SRCGW}`, { o: 'ignore' });
  env.check(SOCKSRC, `${PINGQ} ${IP4DST}`, { o: 'ignore' });
  env.check(SOCKDST, `${PINGQ} ${IP4DSTGW}`, { o: 'ignore' });
  env.check(SOCKDST, `${PINGQ} ${IP4SRC}`, { o: 'ignore' });
}

function testPingTtl(env: AtfEnv): void {
  env.check(SOCKSRC, `${PINGQ} -T 1 ${IP4SRCGW}`, { o: 'ignore' });
  env.check(SOCKSRC, `rump.ping -v -n -w ${TIMEOUT} -c 1 -T 1 ${IP4DST}`, {
    s: 'not-exit:0',
    o: { match: 'Time To Live exceeded' },
  });
  env.check(SOCKSRC, `${PINGQ} -T 2 ${IP4DST}`, { o: 'ignore' });
}

function testSysctlTtl(env: AtfEnv, ip: string): void {
  sysctlW(env, SOCKSRC, 'net.inet.ip.ttl=1');
  env.check(SOCKSRC, ftpGet(ip), { s: 'not-exit:0', e: { match: 'timed out' } });
  sysctlW(env, SOCKSRC, 'net.inet.ip.ttl=2');
  env.check(SOCKSRC, ftpGet(ip));
  sysctlW(env, SOCKSRC, 'net.inet.ip.ttl=64');
}

function testDirectedBroadcast(env: AtfEnv): void {
  sysctlW(env, SOCKDST, 'net.inet.icmp.bmcastecho=1');
  sysctlW(env, SOCKFWD, 'net.inet.ip.directed-broadcast=1');
  env.check(SOCKSRC, `${PINGQ} ${IP4DST_BCAST}`, { o: 'ignore' });
  sysctlW(env, SOCKFWD, 'net.inet.ip.directed-broadcast=0');
  env.check(SOCKSRC, `${PINGQ} ${IP4DST_BCAST}`, { s: 'not-exit:0', o: 'ignore' });
  sysctlW(env, SOCKDST, 'net.inet.icmp.bmcastecho=0');
}

describe('net/t_forwarding', () => {
  reportSleeps('net/t_forwarding');

  it('ipforwarding_v4', () => {
    const env = new AtfEnv();
    setup(env);
    testSetup(env);
    setupForwarding(env);
    testSetupForwarding(env);
    testPingSuccess(env);
    sysctlW(env, SOCKFWD, 'net.inet.ip.forwarding=0');
    env.check(SOCKFWD, 'rump.sysctl net.inet.ip.forwarding', { o: { match: 'net.inet.ip.forwarding = 0' } });
    testPingFailure(env);
    env.rumpServerDestroyIfaces();
  });

  it('ipforwarding_fastforward_v4', () => {
    const env = new AtfEnv();
    setup(env);
    testSetup(env);
    setupForwarding(env);
    testSetupForwarding(env);
    env.files.set(HTML_FILE, '');
    env.startHttpd(SOCKDST, IP4DST);
    testHttpGet(env, IP4DST);
    env.rumpServerDestroyIfaces();
  });

  it('ipforwarding_misc', () => {
    const env = new AtfEnv();
    setup(env);
    testSetup(env);
    setupForwarding(env);
    testSetupForwarding(env);
    testPingTtl(env);
    testDirectedBroadcast(env);
    env.files.set(HTML_FILE, '');
    env.startHttpd(SOCKDST, IP4DST);
    testSysctlTtl(env, IP4DST);
    env.rumpServerDestroyIfaces();
  });
});
