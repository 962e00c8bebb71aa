/**
 * Port of NetBSD tests/net/if_gif/t_gif.sh (rev 1.10.2.2): gif(4) tunnels, IPv4 and IPv6 over
 * IPv4 and IPv6, the SIOCSLIFPHYADDR rules, and the nesting limit on recursive tunnels.
 * Same case names (gif_<category>_<inner>over<outer>), same assertions.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';
import { testCreateDestroyCommon } from '../harness/net6.ts';

type Mode = 'ipv4' | 'ipv6';
const SOCK1 = 'unix://commsock1';
const SOCK2 = 'unix://commsock2';
const TIMEOUT = 5;

const R = {
  ipv4: {
    r1: {
      lan: '192.168.1.1',
      lannet: '192.168.1.0/24',
      wan: '10.0.0.1',
      gif: '172.16.1.1',
      wanDummy: '10.0.0.11',
      gifDummy: '172.16.11.1',
      rec1: '172.16.101.1',
      rec2: '172.16.201.1',
    },
    r2: {
      lan: '192.168.2.1',
      lannet: '192.168.2.0/24',
      wan: '10.0.0.2',
      gif: '172.16.2.1',
      wanDummy: '10.0.0.12',
      gifDummy: '172.16.12.1',
      rec1: '172.16.102.1',
      rec2: '172.16.202.1',
    },
  },
  ipv6: {
    r1: {
      lan: 'fc00:1::1',
      lannet: 'fc00:1::/64',
      wan: 'fc00::1',
      gif: 'fc00:3::1',
      wanDummy: 'fc00::11',
      gifDummy: 'fc00:13::1',
      rec1: 'fc00:103::1',
      rec2: 'fc00:203::1',
    },
    r2: {
      lan: 'fc00:2::1',
      lannet: 'fc00:2::/64',
      wan: 'fc00::2',
      gif: 'fc00:4::1',
      wanDummy: 'fc00::12',
      gifDummy: 'fc00:14::1',
      rec1: 'fc00:104::1',
      rec2: 'fc00:204::1',
    },
  },
} as const;

function setupRouter(
  env: AtfEnv,
  sock: string,
  lan: string,
  lanMode: Mode,
  wan: string,
  wanMode: Mode,
): void {
  env.rumpServerAddIface(sock, 'shmif0', 'bus0');
  env.rumpServerAddIface(sock, 'shmif1', 'bus1');
  env.check(
    sock,
    lanMode === 'ipv6'
      ? `rump.ifconfig shmif0 inet6 ${lan}`
      : `rump.ifconfig shmif0 inet ${lan} netmask 0xffffff00`,
  );
  env.check(sock, 'rump.ifconfig shmif0 up');
  env.check(
    sock,
    wanMode === 'ipv6'
      ? `rump.ifconfig shmif1 inet6 ${wan}`
      : `rump.ifconfig shmif1 inet ${wan} netmask 0xff000000`,
  );
  env.check(sock, 'rump.ifconfig shmif1 up');
}

const pingCmd = (mode: Mode, target: string, source?: string): string =>
  mode === 'ipv6'
    ? `rump.ping6 -n -c 1 -X ${TIMEOUT}${source === undefined ? '' : ` -S ${source}`} ${target}`
    : `rump.ping -n -c 1 -w ${TIMEOUT}${source === undefined ? '' : ` -I ${source}`} ${target}`;

function testRouter(env: AtfEnv, sock: string, lan: string, lanMode: Mode, wan: string, wanMode: Mode): void {
  env.check(sock, 'rump.ifconfig', { o: { match: 'shmif0' } });
  env.check(sock, pingCmd(lanMode, lan), { o: 'ignore' });
  env.check(sock, 'rump.ifconfig', { o: { match: 'shmif1' } });
  env.check(sock, pingCmd(wanMode, wan), { o: 'ignore' });
}

function setup(env: AtfEnv, inner: Mode, outer: Mode): void {
  env.rumpServerStart(SOCK1, 'netinet6', 'gif');
  env.rumpServerStart(SOCK2, 'netinet6', 'gif');
  setupRouter(env, SOCK1, R[inner].r1.lan, inner, R[outer].r1.wan, outer);
  setupRouter(env, SOCK2, R[inner].r2.lan, inner, R[outer].r2.wan, outer);
}

function testSetup(env: AtfEnv, inner: Mode, outer: Mode): void {
  testRouter(env, SOCK1, R[inner].r1.lan, inner, R[outer].r1.wan, outer);
  testRouter(env, SOCK2, R[inner].r2.lan, inner, R[outer].r2.wan, outer);
}

function setupIfGif(
  env: AtfEnv,
  sock: string,
  gif: string,
  addr: string,
  remote: string,
  inner: Mode,
  src: string,
  dst: string,
  peernet?: string,
): void {
  env.check(sock, `rump.ifconfig ${gif} create`);
  env.check(sock, `rump.ifconfig ${gif} tunnel ${src} ${dst}`);
  if (inner === 'ipv6') {
    env.check(sock, `rump.ifconfig ${gif} inet6 ${addr}/128 ${remote}`);
    if (peernet !== undefined) env.check(sock, `rump.route add -inet6 ${peernet} ${addr}`, { o: 'ignore' });
  } else {
    env.check(sock, `rump.ifconfig ${gif} inet ${addr}/32 ${remote}`);
    if (peernet !== undefined) env.check(sock, `rump.route add -inet ${peernet} ${addr}`, { o: 'ignore' });
  }
}

function setupTunnel(env: AtfEnv, inner: Mode, outer: Mode): void {
  const i = R[inner];
  const o = R[outer];
  setupIfGif(env, SOCK1, 'gif0', i.r1.gif, i.r2.gif, inner, o.r1.wan, o.r2.wan, i.r2.lannet);
  setupIfGif(env, SOCK2, 'gif0', i.r2.gif, i.r1.gif, inner, o.r2.wan, o.r1.wan, i.r1.lannet);
}

function testSetupTunnel(env: AtfEnv, mode: Mode): void {
  const opt = mode === 'ipv6' ? '-inet6' : '-inet';
  env.check(SOCK1, 'rump.ifconfig', { o: { match: 'gif0' } });
  env.check(SOCK1, `rump.route -nL get ${opt} ${R[mode].r2.lannet}`, { o: { match: 'gif0' } });
  env.check(SOCK2, 'rump.ifconfig', { o: { match: 'gif0' } });
  env.check(SOCK2, `rump.route -nL get ${opt} ${R[mode].r1.lannet}`, { o: { match: 'gif0' } });
}

function teardownTunnel(env: AtfEnv): void {
  for (const sock of [SOCK1, SOCK2]) {
    env.check(sock, 'rump.ifconfig gif0 deletetunnel');
    env.check(sock, 'rump.ifconfig gif0 destroy');
  }
}

function testPingSuccess(env: AtfEnv, mode: Mode): void {
  env.check(SOCK1, pingCmd(mode, R[mode].r2.lan, R[mode].r1.lan), { o: 'ignore' });
  env.check(SOCK2, pingCmd(mode, R[mode].r1.lan, R[mode].r2.lan), { o: 'ignore' });
}

function testPingFailure(env: AtfEnv, mode: Mode): void {
  const fail = { s: 'not-exit:0', o: 'ignore', e: 'ignore' } as const;
  env.check(SOCK1, pingCmd(mode, R[mode].r2.lan, R[mode].r1.lan), fail);
  // For IPv4 the original pings from ROUTER1's LAN address on ROUTER2 too.
  env.check(
    SOCK2,
    mode === 'ipv6'
      ? pingCmd(mode, R[mode].r1.lan, R[mode].r2.lan)
      : pingCmd(mode, R[mode].r2.lan, R[mode].r1.lan),
    fail,
  );
}

function setupDummyTunnel(env: AtfEnv, inner: Mode, outer: Mode): void {
  const i = R[inner];
  const o = R[outer];
  setupIfGif(env, SOCK1, 'gif1', i.r1.gifDummy, i.r2.gifDummy, inner, o.r1.wanDummy, o.r2.wanDummy);
  setupIfGif(env, SOCK2, 'gif1', i.r2.gifDummy, i.r1.gifDummy, inner, o.r2.wanDummy, o.r1.wanDummy);
}

function teardownDummyTunnel(env: AtfEnv): void {
  for (const sock of [SOCK1, SOCK2]) {
    env.check(sock, 'rump.ifconfig gif1 deletetunnel');
    env.check(sock, 'rump.ifconfig gif1 destroy');
  }
}

function changeTunnel(env: AtfEnv, mode: Mode, refused: boolean): void {
  const o = R[mode];
  const spec = refused ? ({ e: { match: 'SIOCSLIFPHYADDR' } } as const) : {};
  env.check(SOCK1, `rump.ifconfig gif0 tunnel ${o.r1.wanDummy} ${o.r2.wanDummy}`, spec);
  env.check(SOCK2, `rump.ifconfig gif0 tunnel ${o.r2.wanDummy} ${o.r1.wanDummy}`, spec);
}

/** Tests in ROUTER1 only: gif1 over gif0, gif2 over gif1. */
function setupRecursiveTunnels(env: AtfEnv, mode: Mode): void {
  const m = R[mode];
  setupIfGif(env, SOCK1, 'gif1', m.r1.rec1, m.r2.rec1, mode, m.r1.gif, m.r2.gif);
  setupIfGif(env, SOCK1, 'gif2', m.r1.rec2, m.r2.rec2, mode, m.r1.rec1, m.r2.rec1);
}

function testRecursiveCheck(env: AtfEnv, mode: Mode): void {
  env.check(SOCK1, pingCmd(mode, R[mode].r2.rec2), { s: 'not-exit:0', o: 'ignore', e: 'ignore' });
  env.check(SOCK1, 'dmesg', { o: { match: 'gif0: recursively called too many times' } });
}

function teardownRecursiveTunnels(env: AtfEnv): void {
  for (const gif of ['gif1', 'gif2']) {
    env.check(SOCK1, `rump.ifconfig ${gif} deletetunnel`);
    env.check(SOCK1, `rump.ifconfig ${gif} destroy`);
  }
}

const PROTOS: readonly (readonly [Mode, Mode])[] = [
  ['ipv4', 'ipv4'],
  ['ipv4', 'ipv6'],
  ['ipv6', 'ipv4'],
  ['ipv6', 'ipv6'],
];

describe('if_gif/t_gif', () => {
  reportSleeps('if_gif/t_gif');

  it('gif_create_destroy', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCK1, 'netinet6', 'gif');
    testCreateDestroyCommon(env, SOCK1, 'gif0', true);
  });

  for (const [inner, outer] of PROTOS) {
    it(`gif_basic_${inner}over${outer}`, () => {
      const env = new AtfEnv();
      setup(env, inner, outer);
      testSetup(env, inner, outer);
      setupTunnel(env, inner, outer);
      env.sleep(1);
      testSetupTunnel(env, inner);
      testPingSuccess(env, inner);
      teardownTunnel(env);
      testPingFailure(env, inner);
      env.rumpServerDestroyIfaces();
    });

    it(`gif_ioctl_${inner}over${outer}`, () => {
      const env = new AtfEnv();
      setup(env, inner, outer);
      testSetup(env, inner, outer);
      setupTunnel(env, inner, outer);
      setupDummyTunnel(env, inner, outer);
      env.sleep(1);
      testSetupTunnel(env, inner);
      env.check(SOCK1, 'rump.ifconfig', { o: { match: 'gif1' } });
      env.check(SOCK2, 'rump.ifconfig', { o: { match: 'gif1' } });
      testPingSuccess(env, inner);
      changeTunnel(env, outer, true);
      teardownDummyTunnel(env);
      changeTunnel(env, outer, false);
      teardownTunnel(env);
      testPingFailure(env, inner);
      env.rumpServerDestroyIfaces();
    });

    it(`gif_recursive_${inner}over${outer}`, () => {
      const env = new AtfEnv();
      setup(env, inner, outer);
      testSetup(env, inner, outer);
      setupTunnel(env, inner, outer);
      setupRecursiveTunnels(env, inner);
      env.sleep(1);
      testSetupTunnel(env, inner);
      testRecursiveCheck(env, inner);
      teardownRecursiveTunnels(env);
      teardownTunnel(env);
      env.rumpServerDestroyIfaces();
    });
  }
});
