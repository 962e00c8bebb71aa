/**
 * Port of NetBSD tests/net/ndp/t_ra.sh (rev 1.32): router advertisements from rtadvd, the
 * default router and prefix lists, SLAAC and temporary addresses, the flushes (ndp -R, -P),
 * several routers, maxifprefixes, and the expiry of routers and prefixes. Same case names,
 * same assertions; `sleep` runs on the virtual clock.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv, ONEDAYISH } from '../harness/net-common.ts';
import { expectMatch, getLinklocalAddr, startRtadvd, stopRtadvd } from '../harness/net6.ts';

const RUMPSRV = 'unix://r1';
const RUMPSRV1_2 = 'unix://r12';
const RUMPCLI = 'unix://r2';
const RUMPSRV3 = 'unix://r3';
const RUMPSRV4 = 'unix://r4';
const IP6SRV = 'fc00:1::1';
const IP6SRV1_2 = 'fc00:1::2';
const IP6SRV_PREFIX = 'fc00:1:';
const IP6CLI = 'fc00:2::2';
const IP6SRV3 = 'fc00:3::1';
const IP6SRV3_PREFIX = 'fc00:3:';
const IP6SRV4 = 'fc00:4::1';
const PIDFILE = './rump.rtadvd.pid';
const PIDFILE1_2 = './rump.rtadvd.pid12';
const PIDFILE3 = './rump.rtadvd.pid3';
const PIDFILE4 = './rump.rtadvd.pid4';
const CONFIG = './rtadvd.conf';
const WAITTIME = 2;

function initServer(env: AtfEnv, sock: string): void {
  env.check(sock, 'rump.sysctl -w net.inet6.ip6.forwarding=1', { o: { match: '0.->.1' } });
}

function setupShmif0(env: AtfEnv, sock: string, ip: string): void {
  env.rumpServerAddIface(sock, 'shmif0', 'bus1');
  env.check(sock, `rump.ifconfig shmif0 inet6 ${ip}`);
  env.check(sock, 'rump.ifconfig shmif0 up');
  env.check(sock, 'rump.ifconfig -w 10');
}

const createRtadvdconfig = (env: AtfEnv, extra = ''): void => {
  env.files.set(CONFIG, `shmif0:\\\n\t:mtu#1300:maxinterval#4:mininterval#3:${extra}\n`);
};

function checkEntries(env: AtfEnv, cli: string, srv: string, addrPrefix: string): void {
  const llSrv = getLinklocalAddr(env, srv, 'shmif0');
  const macSrv = env.getMacaddr(srv, 'shmif0');
  env.check(cli, 'rump.ndp -r', { o: { match: 'if=shmif0' } });
  env.check(cli, 'rump.ndp -p', { o: { match: 'advertised' } });
  env.check(cli, 'rump.ndp -p', { o: { match: `${llSrv}%shmif0 \\(reachable\\)` } });
  env.check(cli, 'rump.ndp -n -i shmif0', { o: { match: 'linkmtu=1300' } });
  env.check(cli, 'rump.ndp -n -a', { o: { match: `${llSrv}%shmif0 +${macSrv} +shmif0 +${ONEDAYISH} S R` } });
  env.check(cli, 'rump.ndp -n -a', { o: { notMatch: addrPrefix } });
  env.check(cli, 'rump.ifconfig shmif0 inet6', { o: { match: `${addrPrefix}.+<(TENTATIVE,)?AUTOCONF>` } });
}

function acceptRtadv(env: AtfEnv): void {
  env.check(RUMPCLI, 'rump.sysctl -w net.inet6.ip6.accept_rtadv=1', { o: { match: '0.->.1' } });
}

/** The common start of most cases: SRV advertises, CLI accepts, the entries are there. */
function basicSetup(env: AtfEnv, extraConf = ''): void {
  env.rumpServerStart(RUMPSRV, 'netinet6');
  env.rumpServerStart(RUMPCLI, 'netinet6');
  setupShmif0(env, RUMPSRV, IP6SRV);
  setupShmif0(env, RUMPCLI, IP6CLI);
  initServer(env, RUMPSRV);
  createRtadvdconfig(env, extraConf);
  acceptRtadv(env);
  startRtadvd(env, RUMPSRV, CONFIG, PIDFILE);
  env.sleep(WAITTIME);
  checkEntries(env, RUMPCLI, RUMPSRV, IP6SRV_PREFIX);
}

function countAdvertisedBy(env: AtfEnv): number {
  return env
    .run(RUMPCLI, 'rump.ndp -p')
    .stdout.split('\n')
    .filter((l) => l.includes('advertised by')).length;
}

describe('ndp/t_ra', () => {
  reportSleeps('ndp/t_ra');

  it('ra_basic', () => {
    const env = new AtfEnv();
    env.rumpServerStart(RUMPSRV, 'netinet6');
    env.rumpServerStart(RUMPCLI, 'netinet6');
    setupShmif0(env, RUMPSRV, IP6SRV);
    initServer(env, RUMPSRV);
    setupShmif0(env, RUMPCLI, IP6CLI);
    env.check(RUMPCLI, 'rump.sysctl net.inet6.ip6.accept_rtadv', { o: { match: '= 0' } });
    createRtadvdconfig(env);
    startRtadvd(env, RUMPSRV, CONFIG, PIDFILE);
    env.sleep(WAITTIME);
    env.check(RUMPCLI, 'rump.ndp -r', { o: 'empty' });
    env.check(RUMPCLI, 'rump.ndp -p', { o: { notMatch: 'advertised' } });
    env.check(RUMPCLI, 'rump.ndp -n -i shmif0', { o: { match: 'linkmtu=0' } });
    env.check(RUMPCLI, 'rump.ndp -n -a', { o: { notMatch: 'S R' } });
    env.check(RUMPCLI, 'rump.ndp -n -a', { o: { notMatch: 'fc00:1:' } });
    env.check(RUMPCLI, 'rump.ifconfig shmif0 inet6', { o: { notMatch: 'fc00:1:' } });
    stopRtadvd(env, PIDFILE, 'TERM');
    acceptRtadv(env);
    startRtadvd(env, RUMPSRV, CONFIG, PIDFILE);
    env.sleep(WAITTIME);
    checkEntries(env, RUMPCLI, RUMPSRV, IP6SRV_PREFIX);
    stopRtadvd(env, PIDFILE, 'TERM');
    env.rumpServerDestroyIfaces();
  });

  it('ra_flush_prefix_entries', () => {
    const env = new AtfEnv();
    basicSetup(env);
    // Terminate rtadvd to prevent new RA messages from coming.
    stopRtadvd(env, PIDFILE, 'KILL');
    env.check(RUMPCLI, 'rump.ndp -P');
    env.check(RUMPCLI, 'rump.ndp -r', { o: { match: 'if=shmif0' } });
    env.check(RUMPCLI, 'rump.ndp -p', { o: 'empty' });
    env.check(RUMPCLI, 'rump.ndp -n -i shmif0', { o: { match: 'linkmtu=1300' } });
    env.check(RUMPCLI, 'rump.ndp -n -a', { o: { match: `${ONEDAYISH} S R` } });
    env.check(RUMPCLI, 'rump.ndp -n -a', { o: { notMatch: 'fc00:1:' } });
    env.check(RUMPCLI, 'rump.ifconfig shmif0 inet6', { o: { notMatch: 'fc00:1:' } });
    env.rumpServerDestroyIfaces();
  });

  it('ra_flush_defrouter_entries', () => {
    const env = new AtfEnv();
    basicSetup(env);
    stopRtadvd(env, PIDFILE, 'KILL');
    env.check(RUMPCLI, 'rump.ndp -R');
    env.check(RUMPCLI, 'rump.ndp -r', { o: 'empty' });
    env.check(RUMPCLI, 'rump.ndp -p', { o: { match: 'No advertising router' } });
    env.check(RUMPCLI, 'rump.ndp -n -i shmif0', { o: { match: 'linkmtu=1300' } });
    env.check(RUMPCLI, 'rump.ndp -n -a', { o: { notMatch: 'fc00:1:' } });
    env.check(RUMPCLI, 'rump.ifconfig shmif0 inet6', { o: { match: 'fc00:1:' } });
    env.rumpServerDestroyIfaces();
  });

  it('ra_delete_address', () => {
    const env = new AtfEnv();
    basicSetup(env);
    const line =
      env
        .run(RUMPCLI, 'rump.ifconfig shmif0')
        .stdout.split('\n')
        .find((l) => l.includes('AUTOCONF')) ?? '';
    const autoconf = line.trim().split(/\s+/)[1] ?? '';
    env.check(RUMPCLI, `rump.ifconfig shmif0 inet6 ${autoconf} delete`);
    stopRtadvd(env, PIDFILE, 'TERM');
    env.rumpServerDestroyIfaces();
  });

  it('ra_multiple_routers', () => {
    const env = new AtfEnv();
    env.rumpServerStart(RUMPSRV, 'netinet6');
    env.rumpServerStart(RUMPSRV3, 'netinet6');
    env.rumpServerStart(RUMPCLI, 'netinet6');
    setupShmif0(env, RUMPSRV, IP6SRV);
    setupShmif0(env, RUMPSRV3, IP6SRV3);
    setupShmif0(env, RUMPCLI, IP6CLI);
    initServer(env, RUMPSRV);
    initServer(env, RUMPSRV3);
    createRtadvdconfig(env);
    acceptRtadv(env);
    startRtadvd(env, RUMPSRV, CONFIG, PIDFILE);
    startRtadvd(env, RUMPSRV3, CONFIG, PIDFILE3);
    env.sleep(WAITTIME);
    checkEntries(env, RUMPCLI, RUMPSRV, IP6SRV_PREFIX);
    checkEntries(env, RUMPCLI, RUMPSRV3, IP6SRV3_PREFIX);
    // Two prefixes are advertised by two different routers.
    if (countAdvertisedBy(env) !== 2) throw new Error(`atf_check_equal: ${countAdvertisedBy(env)} != 2`);
    stopRtadvd(env, PIDFILE, 'TERM');
    stopRtadvd(env, PIDFILE3, 'TERM');
    env.rumpServerDestroyIfaces();
  });

  it('ra_multiple_routers_single_prefix', () => {
    const env = new AtfEnv();
    env.rumpServerStart(RUMPSRV, 'netinet6');
    env.rumpServerStart(RUMPSRV1_2, 'netinet6');
    env.rumpServerStart(RUMPCLI, 'netinet6');
    setupShmif0(env, RUMPSRV, IP6SRV);
    setupShmif0(env, RUMPSRV1_2, IP6SRV1_2);
    setupShmif0(env, RUMPCLI, IP6CLI);
    initServer(env, RUMPSRV);
    initServer(env, RUMPSRV1_2);
    createRtadvdconfig(env);
    acceptRtadv(env);
    startRtadvd(env, RUMPSRV, CONFIG, PIDFILE);
    startRtadvd(env, RUMPSRV1_2, CONFIG, PIDFILE1_2);
    env.sleep(WAITTIME);
    checkEntries(env, RUMPCLI, RUMPSRV, IP6SRV_PREFIX);
    checkEntries(env, RUMPCLI, RUMPSRV1_2, IP6SRV_PREFIX);
    // One prefix is advertised by two different routers.
    if (countAdvertisedBy(env) !== 1) throw new Error(`atf_check_equal: ${countAdvertisedBy(env)} != 1`);
    stopRtadvd(env, PIDFILE, 'TERM');
    stopRtadvd(env, PIDFILE1_2, 'TERM');
    env.rumpServerDestroyIfaces();
  });

  it('ra_multiple_routers_maxifprefixes', () => {
    const env = new AtfEnv();
    for (const sock of [RUMPSRV, RUMPSRV3, RUMPSRV4, RUMPCLI]) env.rumpServerStart(sock, 'netinet6');
    setupShmif0(env, RUMPSRV, IP6SRV);
    setupShmif0(env, RUMPSRV3, IP6SRV3);
    setupShmif0(env, RUMPSRV4, IP6SRV4);
    setupShmif0(env, RUMPCLI, IP6CLI);
    for (const sock of [RUMPSRV, RUMPSRV3, RUMPSRV4]) initServer(env, sock);
    createRtadvdconfig(env);
    acceptRtadv(env);
    // Limit the maximum number of prefix entries to 2.
    env.check(RUMPCLI, 'rump.sysctl -w net.inet6.ip6.maxifprefixes=2', { o: { match: '16.->.2' } });
    startRtadvd(env, RUMPSRV, CONFIG, PIDFILE);
    startRtadvd(env, RUMPSRV3, CONFIG, PIDFILE3);
    env.sleep(WAITTIME);
    checkEntries(env, RUMPCLI, RUMPSRV, IP6SRV_PREFIX);
    checkEntries(env, RUMPCLI, RUMPSRV3, IP6SRV3_PREFIX);
    startRtadvd(env, RUMPSRV4, CONFIG, PIDFILE4);
    env.sleep(WAITTIME);
    // There should remain two prefixes.
    if (countAdvertisedBy(env) !== 2) throw new Error(`atf_check_equal: ${countAdvertisedBy(env)} != 2`);
    for (const pidfile of [PIDFILE, PIDFILE3, PIDFILE4]) stopRtadvd(env, pidfile, 'TERM');
    env.rumpServerDestroyIfaces();
  });

  it('ra_temporary_address', () => {
    const env = new AtfEnv();
    env.rumpServerStart(RUMPSRV, 'netinet6');
    env.rumpServerStart(RUMPCLI, 'netinet6');
    setupShmif0(env, RUMPSRV, IP6SRV);
    initServer(env, RUMPSRV);
    setupShmif0(env, RUMPCLI, IP6CLI);
    acceptRtadv(env);
    env.check(RUMPCLI, 'rump.sysctl -w net.inet6.ip6.use_tempaddr=1', { o: { match: '0.->.1' } });
    createRtadvdconfig(env);
    startRtadvd(env, RUMPSRV, CONFIG, PIDFILE);
    env.sleep(WAITTIME);
    checkEntries(env, RUMPCLI, RUMPSRV, IP6SRV_PREFIX);
    env.check(RUMPCLI, 'rump.ifconfig shmif0 inet6', {
      o: { match: `${IP6SRV_PREFIX}.+<(TENTATIVE,)?AUTOCONF,TEMPORARY>` },
    });

    env.check(RUMPCLI, 'rump.ifconfig -w 10');
    const addrOf = (flags: string): string => {
      const line =
        env
          .run(RUMPCLI, 'rump.ifconfig shmif0')
          .stdout.split('\n')
          .find((l) => l.includes(flags)) ?? '';
      return (line.trim().split(/\s+/)[1] ?? '').replace(/\/[0-9]*/, '');
    };
    const ipAuto = addrOf('<AUTOCONF>');
    const ipTemp = addrOf('<AUTOCONF,TEMPORARY>');
    env.extractNewPackets('bus1');
    env.check(RUMPCLI, `rump.ping6 -n -X 2 -c 1 ${IP6SRV}`, { o: 'ignore' });
    // The autoconf (non-temporary) address is the source.
    expectMatch(
      env.extractNewPackets('bus1'),
      `${ipAuto} > ${IP6SRV}: .+ echo request`,
      true,
      'check_echo_request_pkt',
    );
    env.check(RUMPCLI, 'rump.sysctl -w net.inet6.ip6.prefer_tempaddr=1', { o: { match: '0.->.1' } });
    env.check(RUMPCLI, `rump.ping6 -n -X 2 -c 1 ${IP6SRV}`, { o: 'ignore' });
    // The temporary address is the source.
    expectMatch(
      env.extractNewPackets('bus1'),
      `${ipTemp} > ${IP6SRV}: .+ echo request`,
      true,
      'check_echo_request_pkt',
    );
    stopRtadvd(env, PIDFILE, 'TERM');
    env.rumpServerDestroyIfaces();
  });

  it('ra_defrouter_expiration', () => {
    const env = new AtfEnv();
    const expireTime = 5;
    basicSetup(env, `rltime#${expireTime}:`);
    stopRtadvd(env, PIDFILE, 'KILL');
    // Wait until the default routers expire, then give nd6_timer a chance to sweep.
    env.sleep(expireTime);
    env.sleep(2);
    env.check(RUMPCLI, 'rump.ndp -r', { o: { notMatch: 'if=shmif0' } });
    env.check(RUMPCLI, 'rump.ndp -p', { o: { match: 'No advertising router' } });
    env.check(RUMPCLI, 'rump.ndp -n -i shmif0', { o: { match: 'linkmtu=1300' } });
    env.check(RUMPCLI, 'rump.ndp -n -a', { o: { notMatch: 'fc00:1:' } });
    env.check(RUMPCLI, 'rump.ifconfig shmif0 inet6', { o: { match: 'fc00:1:' } });
    env.rumpServerDestroyIfaces();
  });

  it('ra_prefix_expiration', () => {
    const env = new AtfEnv();
    const expireTime = 5;
    basicSetup(env, `addr="${IP6SRV_PREFIX}:":vltime#${expireTime}:`);
    stopRtadvd(env, PIDFILE, 'KILL');
    env.sleep(expireTime);
    env.sleep(2);
    env.check(RUMPCLI, 'rump.ndp -r', { o: { match: 'if=shmif0' } });
    env.check(RUMPCLI, 'rump.ndp -p', { o: 'empty' });
    env.check(RUMPCLI, 'rump.ndp -n -i shmif0', { o: { match: 'linkmtu=1300' } });
    env.check(RUMPCLI, 'rump.ndp -n -a', { o: { match: `${ONEDAYISH} S R` } });
    env.check(RUMPCLI, 'rump.ndp -n -a', { o: { notMatch: 'fc00:1:' } });
    env.check(RUMPCLI, 'rump.ifconfig shmif0 inet6', { o: { notMatch: 'fc00:1:' } });
    env.rumpServerDestroyIfaces();
  });
});
