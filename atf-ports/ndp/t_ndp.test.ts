/**
 * Port of NetBSD tests/net/ndp/t_ndp.sh (rev 1.30): the IPv6 neighbour cache, ndp(8),
 * overwriting, neighborgcthresh, link activation, routing messages, purges and stray entries.
 * Same case names, same assertions; `sleep` runs on the virtual clock.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv, ONEDAYISH } from '../harness/net-common.ts';
import { expectMatch } from '../harness/net6.ts';

const SOCKSRC = 'unix://commsock1';
const SOCKDST = 'unix://commsock2';
const IP6SRC = 'fc00::1';
const IP6SRC2 = 'fc00::3';
const IP6DST = 'fc00::2';
const IP6NET = 'fc00::0';
const TIMEOUT = 1;
/** What one `atf_check rump.*` iteration of a shell loop takes in the original (fork, exec, connect). */
const RUMP_CLIENT_LOOP_NS = 150_000_000;

function setupDstServer(env: AtfEnv, assignIp = true): void {
  env.rumpServerAddIface(SOCKDST, 'shmif0', 'bus1');
  if (assignIp) env.check(SOCKDST, `rump.ifconfig shmif0 inet6 ${IP6DST}`);
  env.check(SOCKDST, 'rump.ifconfig shmif0 up');
  env.check(SOCKDST, 'rump.ifconfig -w 10');
}

function setupSrcServer(env: AtfEnv): void {
  env.rumpServerAddIface(SOCKSRC, 'shmif0', 'bus1');
  env.check(SOCKSRC, `rump.ifconfig shmif0 inet6 ${IP6SRC}`);
  env.check(SOCKSRC, 'rump.ifconfig shmif0 up');
  env.check(SOCKSRC, 'rump.ifconfig -w 10');
  env.check(SOCKSRC, `rump.ndp -n ${IP6SRC}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
  env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
}

function start(env: AtfEnv): void {
  env.rumpServerStart(SOCKSRC, 'netinet6');
  env.rumpServerStart(SOCKDST, 'netinet6');
  setupDstServer(env);
  setupSrcServer(env);
}

/** get_timeout: the 4th column of `ndp -n IP6DST`, without its `s`. */
function getTimeout(env: AtfEnv): number {
  const line =
    env
      .run(SOCKSRC, `rump.ndp -n ${IP6DST}`)
      .stdout.split('\n')
      .find((l) => l.includes(IP6DST)) ?? '';
  return Number((line.trim().split(/\s+/)[3] ?? '').replace(/s$/, ''));
}

const ping6 = (env: AtfEnv, target: string, extra = ''): void => {
  env.check(SOCKSRC, `rump.ping6 -n -X ${TIMEOUT} -c 1 ${extra}${target}`, { o: 'ignore' });
};

/** get_n_caches: lines of `ndp -a -n` that are neither the header nor permanent. */
function nCaches(env: AtfEnv): number {
  return env
    .run(SOCKSRC, 'rump.ndp -a -n')
    .stdout.split('\n')
    .filter((l) => l !== '' && !l.includes('Neighbor') && !l.includes('permanent')).length;
}

const makePktStrNa = (ip: string, mac: string): string =>
  `${mac} > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: ${ip} > ff02::1: ICMP6, neighbor advertisement`;

describe('ndp/t_ndp', () => {
  reportSleeps('ndp/t_ndp');

  it('ndp_cache_expiration', () => {
    const env = new AtfEnv();
    start(env);
    ping6(env, IP6DST);
    env.check(SOCKSRC, `rump.ndp -n ${IP6SRC}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { notMatch: 'permanent' } });
    const timeout = getTimeout(env);
    if (!Number.isFinite(timeout)) throw new Error('no expiry column');
    env.sleep(timeout + 1);
    env.check(SOCKSRC, `rump.ndp -n ${IP6SRC}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
    // Expired but remains until the GC sweeps it (1 day).
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: ONEDAYISH } });
    env.rumpServerDestroyIfaces();
  });

  it('ndp_commands', () => {
    const env = new AtfEnv();
    start(env);
    env.check(SOCKSRC, 'rump.ndp -s fc00::10 b2:a0:20:00:00:10', { o: 'ignore' });
    env.check(SOCKSRC, 'rump.ndp -n fc00::10', { o: { match: 'permanent' } });
    env.checkRoute(SOCKSRC, 'fc00::10', 'b2:a0:20:00:00:10', 'UHLS', 'shmif0');
    env.check(SOCKSRC, 'rump.ndp -d fc00::10', { o: { match: 'deleted' } });
    env.check(SOCKSRC, 'rump.ndp -n fc00::10', { s: 'not-exit:0', o: 'ignore', e: 'ignore' });
    env.checkRouteNoEntry(SOCKSRC, 'fc00::10');

    ping6(env, IP6DST);
    env.check(SOCKSRC, 'rump.ndp -s fc00::11 b2:a0:20:00:00:11', { o: 'ignore' });
    env.check(SOCKSRC, 'rump.ndp -s fc00::12 b2:a0:20:00:00:12', { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { notMatch: 'permanent' } });
    env.check(SOCKSRC, 'rump.ndp -n fc00::11', { o: { match: 'permanent' } });
    env.check(SOCKSRC, 'rump.ndp -n fc00::12', { o: { match: 'permanent' } });
    env.checkRouteFlags(SOCKSRC, IP6DST, 'UHL');
    env.checkRouteFlags(SOCKSRC, 'fc00::11', 'UHLS');
    env.checkRouteFlags(SOCKSRC, 'fc00::12', 'UHLS');

    env.check(SOCKSRC, 'rump.ndp -n -a', { o: { match: 'fc00::11' } });
    env.check(SOCKSRC, 'rump.ndp -n -a', { o: { match: 'fc00::12' } });

    // Ensure no packet upsets the src server.
    env.check(SOCKDST, 'rump.ifconfig shmif0 down');

    env.check(SOCKSRC, 'rump.ndp -c', { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6SRC}`, { s: 'not-exit:0', o: 'ignore', e: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { s: 'not-exit:0', o: 'ignore', e: 'ignore' });
    env.checkRouteNoEntry(SOCKSRC, IP6DST);
    // Only the static caches are not deleted.
    env.check(SOCKSRC, 'rump.ndp -n fc00::11', { o: 'ignore', e: 'ignore' });
    env.check(SOCKSRC, 'rump.ndp -n fc00::12', { o: 'ignore', e: 'ignore' });
    env.checkRouteFlags(SOCKSRC, 'fc00::11', 'UHLS');
    env.checkRouteFlags(SOCKSRC, 'fc00::12', 'UHLS');

    env.check(SOCKSRC, 'rump.ndp -s fc00::10 b2:a0:20:00:00:10 temp', { o: 'ignore' });
    env.run(SOCKSRC, 'rump.ndp -s fc00::10 b2:a0:20:00:00:10 temp');
    env.check(SOCKSRC, 'rump.ndp -n fc00::10', { o: { notMatch: 'permanent' } });
    env.checkRoute(SOCKSRC, 'fc00::10', 'b2:a0:20:00:00:10', 'UHL', 'shmif0');
    env.rumpServerDestroyIfaces();
  });

  it('ndp_cache_overwriting', () => {
    const env = new AtfEnv();
    start(env);
    // Cannot overwrite a permanent cache.
    env.check(SOCKSRC, `rump.ndp -s ${IP6SRC} b2:a0:20:00:00:ff`);
    env.check(SOCKSRC, `rump.ndp -s ${IP6SRC} b2:a0:20:00:00:fe`, { s: 'not-exit:0', e: 'ignore' });
    ping6(env, IP6DST);
    // Can overwrite a dynamic cache.
    env.check(SOCKSRC, `rump.ndp -s ${IP6DST} b2:a0:20:00:00:00`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'permanent' } });
    env.rumpServerDestroyIfaces();
  });

  it('ndp_neighborgcthresh', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCKSRC, 'netinet6');
    env.rumpServerStart(SOCKDST, 'netinet6');
    setupDstServer(env, false);
    setupSrcServer(env);
    for (let i = 0; i <= 9; i++) {
      // The original pings the new addresses without waiting for their DAD: it relies on the
      // wall-clock time each rump client takes to start, which the model's commands do not.
      env.world.runFor(RUMP_CLIENT_LOOP_NS);
      env.check(SOCKDST, `rump.ifconfig shmif0 inet6 ${IP6DST}${i}`);
    }
    const loopPing6 = (i: number): void => {
      env.world.runFor(RUMP_CLIENT_LOOP_NS);
      ping6(env, `${IP6DST}${i}`);
    };
    for (let i = 0; i <= 2; i++) loopPing6(i);
    // 3 caches should be created.
    if (nCaches(env) !== 3) throw new Error(`atf_check_equal: ${nCaches(env)} != 3`);
    for (let i = 3; i <= 5; i++) loopPing6(i);
    if (nCaches(env) !== 6) throw new Error(`atf_check_equal: ${nCaches(env)} != 6`);
    env.check(SOCKSRC, 'rump.sysctl -w net.inet6.ip6.neighborgcthresh=5', { o: 'ignore' });
    for (let i = 6; i <= 9; i++) loopPing6(i);
    if (nCaches(env) > 5) throw new Error('Neighbor caches are not GC-ed');
    env.rumpServerDestroyIfaces();
  });

  it('ndp_link_activation', () => {
    const env = new AtfEnv();
    start(env);
    env.extractNewPackets('bus1');
    env.check(SOCKSRC, 'rump.ifconfig shmif0 link b2:a1:00:00:00:01', { o: 'ignore' });
    env.sleep(1);
    let out = env.extractNewPackets('bus1');
    const linklocal = (): string => {
      const line =
        env
          .run(SOCKSRC, 'rump.ifconfig shmif0')
          .stdout.split('\n')
          .find((l) => l.includes('fe80')) ?? '';
      return (line.trim().split(/\s+/)[1] ?? '').split('%')[0] ?? '';
    };
    expectMatch(
      out,
      makePktStrNa(linklocal(), 'b2:a1:00:00:00:01'),
      false,
      'grep -q NA from the inactive address',
      true,
    );
    env.check(SOCKSRC, 'rump.ifconfig shmif0 link b2:a1:00:00:00:02 active', { o: 'ignore' });
    env.sleep(1);
    out = env.extractNewPackets('bus1');
    expectMatch(
      out,
      makePktStrNa(linklocal(), 'b2:a1:00:00:00:02'),
      true,
      'grep -q NA from the activated address',
      true,
    );
    env.rumpServerDestroyIfaces();
  });

  it('ndp_rtm', () => {
    const env = new AtfEnv();
    start(env);
    const macaddrDst = env.getMacaddr(SOCKDST, 'shmif0');
    let job = env.routeMonitor(SOCKSRC, 1);
    env.sleep(1);
    env.check(SOCKSRC, `rump.ping6 -n -X 1 -c 1 ${IP6DST}`, { o: 'ignore' });
    let file = job.wait();
    expectMatch(file, 'RTM_ADD.+<UP,HOST,DONE,LLINFO,CLONED>', true, 'cat $file');
    expectMatch(file, '<DST,GATEWAY>', true, 'cat $file');
    expectMatch(file, `${IP6DST} link#2`, true, 'cat $file');

    job = env.routeMonitor(SOCKSRC, 1);
    env.sleep(1);
    env.check(SOCKSRC, `rump.ndp -d ${IP6DST}`, { o: 'ignore' });
    file = job.wait();
    expectMatch(file, 'RTM_DELETE.+<HOST,DONE,LLINFO,CLONED>', true, 'grep -A 3 RTM_DELETE $file');
    expectMatch(file, '<DST,GATEWAY>', true, 'grep -A 3 RTM_DELETE $file');
    expectMatch(file, `${IP6DST} ${macaddrDst}`, true, 'grep -A 3 RTM_DELETE $file');
    env.rumpServerDestroyIfaces();
  });

  it('ndp_purge_on_route_change', () => {
    const env = new AtfEnv();
    start(env);
    env.rumpServerAddIface(SOCKSRC, 'shmif1', 'bus1');
    env.check(SOCKSRC, `rump.ifconfig shmif1 inet6 ${IP6SRC2}`);
    env.check(SOCKSRC, 'rump.ifconfig -w 10');
    env.check(SOCKSRC, `rump.ping6 -n -X 1 -c 1 ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.route change -inet6 -net ${IP6NET}/64 -ifp shmif1`, { o: 'ignore' });
    // The entry was already removed on route change.
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
    env.rumpServerDestroyIfaces();
  });

  it('ndp_purge_on_route_delete', () => {
    const env = new AtfEnv();
    start(env);
    env.check(SOCKSRC, `rump.ping6 -n -X 1 -c 1 ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.route delete -inet6 -net ${IP6NET}/64`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
    env.rumpServerDestroyIfaces();
  });

  it('ndp_purge_on_ifdown', () => {
    const env = new AtfEnv();
    start(env);
    env.check(SOCKSRC, `rump.ping6 -n -X 1 -c 1 ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, 'rump.ifconfig shmif0 down');
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
    env.rumpServerDestroyIfaces();
  });

  it('ndp_stray_entries', () => {
    const env = new AtfEnv();
    start(env);
    env.rumpServerAddIface(SOCKSRC, 'shmif1', 'bus1');
    env.check(SOCKSRC, `rump.ifconfig shmif1 inet6 ${IP6SRC2}/64`);
    env.check(SOCKSRC, 'rump.ifconfig -w 10');
    const noEntry = { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } } as const;

    env.check(SOCKSRC, `rump.ping6 -n -X 1 -c 1 ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { notMatch: 'shmif1' } });
    env.check(SOCKSRC, 'rump.ndp -c', { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, noEntry);

    // ping from a different source address
    env.check(SOCKSRC, `rump.ping6 -n -X 1 -c 1 -S ${IP6SRC2} ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif0' } });
    // The destination's solicitation for our other address reaches shmif1 and leaves an entry there.
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif1' } });
    env.check(SOCKSRC, 'rump.ndp -c', { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, noEntry);

    // ping from a different source address again: the destination has its entry already.
    env.check(SOCKSRC, `rump.ping6 -n -X 1 -c 1 -S ${IP6SRC2} ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { notMatch: 'shmif1' } });

    // Clean up caches on the destination.
    env.check(SOCKDST, 'rump.ndp -c', { o: 'ignore' });
    env.check(SOCKSRC, `rump.ping6 -n -X 1 -c 1 -S ${IP6SRC2} ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, { o: { match: 'shmif1' } });

    // ndp -d removes both entries.
    env.check(SOCKSRC, `rump.ndp -d ${IP6DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ndp -n ${IP6DST}`, noEntry);
    env.rumpServerDestroyIfaces();
  });
});
