/**
 * Port of NetBSD tests/net/arp/t_arp.sh (rev 1.45.6.2): ARP cache, commands, GARP,
 * proxy ARP, link activation, routing messages, purges and stray entries, on the model.
 * Same case names, same assertions; `sleep` runs on the virtual clock.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv, ONEDAYISH } from '../harness/net-common.ts';

const SOCKSRC = 'unix://commsock1';
const SOCKDST = 'unix://commsock2';
const IP4SRC = '10.0.1.1';
const IP4SRC2 = '10.0.1.5';
const IP4NET = '10.0.1.0';
const IP4DST = '10.0.1.2';
const IP4DST_PROXYARP1 = '10.0.1.3';
const IP4DST_PROXYARP2 = '10.0.1.4';
const IP4DST_FAIL1 = '10.0.1.99';
const IP4DST_FAIL2 = '10.0.99.99';
const TIMEOUT = 1;

function setupDstServer(env: AtfEnv): void {
  env.rumpServerAddIface(SOCKDST, 'shmif0', 'bus1');
  env.check(SOCKDST, `rump.ifconfig shmif0 inet ${IP4DST}/24`);
  env.check(SOCKDST, 'rump.ifconfig shmif0 up');
  env.check(SOCKDST, 'rump.ifconfig -w 10');
}

function setupSrcServer(env: AtfEnv, keep = 0): void {
  if (keep !== 0)
    env.check(SOCKSRC, `rump.sysctl -w net.inet.arp.nd_reachable=${keep * 1000}`, { o: 'ignore' });
  env.rumpServerAddIface(SOCKSRC, 'shmif0', 'bus1');
  env.check(SOCKSRC, `rump.ifconfig shmif0 inet ${IP4SRC}/24`);
  env.check(SOCKSRC, 'rump.ifconfig shmif0 up');
  env.check(SOCKSRC, 'rump.ifconfig -w 10');
  env.check(SOCKSRC, `rump.arp -n ${IP4SRC}`, { s: 'not-exit:0', e: { match: 'no entry' } });
  env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { s: 'not-exit:0', e: { match: 'no entry' } });
}

function startTwo(env: AtfEnv): void {
  env.rumpServerStart(SOCKSRC);
  env.rumpServerStart(SOCKDST);
}

/** get_timeout: the 7th column of `arp -n addr`, without its `s`. */
function getTimeout(env: AtfEnv, addr: string): number {
  const line =
    env
      .run(SOCKSRC, `rump.arp -n ${addr}`)
      .stdout.split('\n')
      .find((l) => l.includes(addr)) ?? '';
  return Number((line.split(/\s+/)[6] ?? '').replace(/s$/, ''));
}

function checkArpStaticEntry(env: AtfEnv, ip: string, mac: string, type: 'permanent' | 'temp'): void {
  env.check(SOCKSRC, `rump.arp -n ${ip}`, { o: { match: mac } });
  if (type === 'permanent') {
    env.check(SOCKSRC, `rump.arp -n ${ip}`, { o: { match: 'permanent' } });
    env.checkRoute(SOCKSRC, ip, mac, 'UHLS', 'shmif0');
  } else {
    env.check(SOCKSRC, `rump.arp -n ${ip}`, { o: { notMatch: 'permanent' } });
    env.checkRoute(SOCKSRC, ip, mac, 'UHL', 'shmif0');
  }
}

const pktArpReq = (target: string, sender: string): string =>
  `> ff:ff:ff:ff:ff:ff, ethertype ARP \\(0x0806\\), length 42: Request who-has ${target} tell ${sender}, length 28`;
// make_pkt_str_arprep overwrites its first assignment: only the Reply part is matched.
const pktArpRep = (ip: string, mac: string): string => `Reply ${ip} is-at ${mac}, length 28`;
const pktGarp = (ip: string, mac: string): string =>
  `${mac} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has ${ip} tell ${ip}, length 28`;

/** grep -q -e A [-e B]: basic regexes, in which `(` and `)` are literal; the patterns use no other metacharacter but `.`. */
const grepAny = (text: string, patterns: readonly string[]): boolean =>
  text
    .split('\n')
    .some((line) =>
      patterns.some((p) => new RegExp(p.replace(/\(/g, '\\(').replace(/\)/g, '\\)')).test(line)),
    );

function expectGrep(text: string, patterns: readonly string[], want: boolean, what: string): void {
  if (grepAny(text, patterns) !== want)
    throw new Error(`${what}: grep ${patterns.join(' | ')} ${want ? 'missed' : 'hit'}\n${text}`);
}

function matchOut(text: string, pattern: string, want: boolean): void {
  const hit = text.split('\n').some((l) => new RegExp(pattern).test(l));
  if (hit !== want) throw new Error(`cat ./out ${want ? 'does not match' : 'matches'} /${pattern}/\n${text}`);
}

function testGarpCommon(env: AtfEnv, noDad: boolean): void {
  env.rumpServerStart(SOCKSRC);
  if (noDad) env.check(SOCKSRC, 'rump.sysctl -w net.inet.ip.dad_count=0', { o: { match: '3 -> 0' } });
  env.rumpServerAddIface(SOCKSRC, 'shmif0', 'bus1');
  env.check(SOCKSRC, 'rump.ifconfig shmif0 inet 10.0.0.1/24');
  env.check(SOCKSRC, 'rump.ifconfig shmif0 up');
  env.sleep(1);
  // Assigned without IFF_UP: a GARP for the primary address.
  matchOut(env.extractNewPackets('bus1'), pktArpReq('10.0.0.1', '10.0.0.1'), true);
  env.check(SOCKSRC, 'rump.ifconfig shmif0 down');
  env.check(SOCKSRC, 'rump.ifconfig shmif0 inet 10.0.0.2/24 alias');
  env.sleep(1);
  matchOut(env.extractNewPackets('bus1'), pktArpReq('10.0.0.2', '10.0.0.2'), true);
  env.check(SOCKSRC, 'rump.ifconfig shmif0 inet 10.0.0.1/24 delete');
  env.check(SOCKSRC, 'rump.ifconfig shmif0 inet 10.0.0.2/24 delete');
  // Assigned with IFF_UP: DAD first, so no GARP unless DAD is off.
  env.check(SOCKSRC, 'rump.ifconfig shmif0 up');
  env.check(SOCKSRC, 'rump.ifconfig shmif0 inet 10.0.0.3/24');
  env.sleep(1);
  matchOut(env.extractNewPackets('bus1'), pktArpReq('10.0.0.3', '10.0.0.3'), noDad);
  env.check(SOCKSRC, 'rump.ifconfig shmif0 inet 10.0.0.4/24 alias');
  env.sleep(1);
  matchOut(env.extractNewPackets('bus1'), pktArpReq('10.0.0.4', '10.0.0.4'), noDad);
  // GARP on link up.
  env.check(SOCKSRC, 'rump.ifconfig shmif0 media none');
  env.extractNewPackets('bus1');
  env.check(SOCKSRC, 'rump.ifconfig shmif0 media auto');
  env.sleep(1);
  const out = env.extractNewPackets('bus1');
  matchOut(out, pktArpReq('10.0.0.3', '10.0.0.3'), noDad);
  matchOut(out, pktArpReq('10.0.0.4', '10.0.0.4'), noDad);
  if (!noDad) {
    matchOut(out, pktArpReq('10.0.0.3', '0.0.0.0'), true);
    matchOut(out, pktArpReq('10.0.0.4', '0.0.0.0'), true);
  }
  env.rumpServerDestroyIfaces();
}

function testProxyArp(env: AtfEnv, type: 'pub' | 'pubproxy'): void {
  env.rumpServerStart(SOCKSRC);
  env.rumpServerStart(SOCKDST, 'tap');
  setupDstServer(env);
  setupSrcServer(env);
  env.check(SOCKDST, 'rump.sysctl -w net.inet.ip.forwarding=1', { o: 'ignore' });
  const macaddrDst = env.getMacaddr(SOCKDST, 'shmif0');
  const opts = type === 'pub' ? 'pub' : 'pub proxy';
  const title = 'published \\(proxy only\\)';
  // Test#1: first an endpoint, then the proxy entry.
  env.rumpServerAddIface(SOCKDST, 'tap1');
  env.check(SOCKDST, `rump.ifconfig tap1 ${IP4DST_PROXYARP1}/24 up`);
  env.check(SOCKDST, 'rump.ifconfig -w 10');
  env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST_PROXYARP1}`, {
    s: 'not-exit:0',
    o: 'ignore',
    e: 'ignore',
  });
  env.check(SOCKSRC, `rump.arp -d ${IP4DST_PROXYARP1}`, { s: 'ignore' });
  env.extractNewPackets('bus1');
  env.check(SOCKDST, `rump.arp -s ${IP4DST_PROXYARP1} ${macaddrDst} ${opts}`, { o: 'ignore' });
  env.check(SOCKDST, `rump.arp -n ${IP4DST_PROXYARP1}`, { o: { match: title } });
  env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST_PROXYARP1}`, { o: 'ignore' });
  let out = env.extractNewPackets('bus1');
  expectGrep(
    out,
    [pktArpRep(IP4DST_PROXYARP1, macaddrDst), pktGarp(IP4DST_PROXYARP1, macaddrDst)],
    true,
    'proxy reply #1',
  );
  // Test#2: first the proxy entry, then the endpoint.
  env.check(SOCKDST, `rump.arp -s ${IP4DST_PROXYARP2} ${macaddrDst} ${opts}`, { o: 'ignore' });
  env.check(SOCKDST, `rump.arp -n ${IP4DST_PROXYARP2}`, { o: { match: title } });
  env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST_PROXYARP2}`, {
    s: 'not-exit:0',
    o: 'ignore',
    e: 'ignore',
  });
  env.check(SOCKSRC, `rump.arp -d ${IP4DST_PROXYARP2}`, { s: 'ignore' });
  out = env.extractNewPackets('bus1');
  expectGrep(out, [pktArpRep(IP4DST_PROXYARP2, macaddrDst)], true, 'proxy reply #2');
  env.rumpServerAddIface(SOCKDST, 'tap2');
  env.check(SOCKDST, `rump.ifconfig tap2 ${IP4DST_PROXYARP2}/24 up`);
  env.check(SOCKDST, 'rump.ifconfig -w 10');
  env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST_PROXYARP2}`, { o: 'ignore' });
}

function testCacheCreationCommon(env: AtfEnv, noDad: boolean): void {
  startTwo(env);
  if (noDad) {
    env.check(SOCKSRC, 'rump.sysctl -w net.inet.ip.dad_count=0', { o: { match: '3 -> 0' } });
    env.check(SOCKDST, 'rump.sysctl -w net.inet.ip.dad_count=0', { o: { match: '3 -> 0' } });
  }
  setupDstServer(env);
  setupSrcServer(env);
  const macaddrSrc = env.getMacaddr(SOCKSRC, 'shmif0');
  const macaddrDst = env.getMacaddr(SOCKDST, 'shmif0');
  // DAD and GARP packets create no entries.
  env.check(SOCKSRC, 'rump.arp -n -a', { o: 'empty' });
  env.check(SOCKDST, 'rump.arp -n -a', { o: 'empty' });
  env.extractNewPackets('bus1');
  env.check(SOCKSRC, `rump.ping -n -w ${TIMEOUT} -c 1 ${IP4DST}`, { o: 'ignore' });
  const out = env.extractNewPackets('bus1');
  env.check(SOCKSRC, 'rump.arp -n -a', {
    o: { match: `\\? \\(10.0.1.2\\) at ${macaddrDst} on shmif0 [0-9]+s R` },
  });
  // Created stale by the request, then the reply sent through it made it DELAY.
  env.check(SOCKDST, 'rump.arp -n -a', {
    o: { match: `\\? \\(10.0.1.1\\) at ${macaddrSrc} on shmif0 [0-9]+s D` },
  });
  matchOut(out, pktArpReq('10.0.1.2', '10.0.1.1'), true);
  matchOut(out, pktArpReq('10.0.1.1', '10.0.1.2'), false);
  env.rumpServerDestroyIfaces();
}

describe('arp/t_arp', () => {
  reportSleeps('arp/t_arp');

  it('arp_cache_expiration', () => {
    const env = new AtfEnv();
    const arpKeep = 7;
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env, arpKeep);
    // A permanent entry on DST keeps it from soliciting and disturbing the test.
    const macaddr = env.getMacaddr(SOCKSRC, 'shmif0');
    env.check(SOCKDST, `rump.arp -s ${IP4SRC} ${macaddr}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.ping -n -w ${TIMEOUT} -c 1 ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4SRC}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { notMatch: 'permanent' } });
    const timeout = getTimeout(env, IP4DST);
    env.sleep(timeout + 1);
    env.check(SOCKSRC, `rump.arp -n ${IP4SRC}`, { s: 'not-exit:0', o: 'ignore', e: { match: 'no entry' } });
    // Expired, but it stays until the GC sweeps it (1 day).
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: ONEDAYISH } });
    env.rumpServerDestroyIfaces();
  });

  it('arp_command', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env, 5);
    env.check(SOCKSRC, 'rump.arp -s 10.0.1.10 b2:a0:20:00:00:10', { o: 'ignore' });
    checkArpStaticEntry(env, '10.0.1.10', 'b2:a0:20:00:00:10', 'permanent');
    env.check(SOCKSRC, 'rump.arp -d 10.0.1.10', { o: 'ignore' });
    env.check(SOCKSRC, 'rump.arp -n 10.0.1.10', { s: 'not-exit:0', e: 'ignore' });
    env.checkRouteNoEntry(SOCKSRC, '10.0.1.10');
    env.files.set('./list', [11, 12, 13, 14, 15].map((n) => `10.0.1.${n} b2:a0:20:00:00:${n}`).join('\n'));
    env.check(SOCKSRC, 'rump.arp -f ./list', { o: 'ignore' });
    for (const n of [11, 12, 13, 14, 15])
      checkArpStaticEntry(env, `10.0.1.${n}`, `b2:a0:20:00:00:${n}`, 'permanent');
    for (const n of [11, 12, 13, 14, 15])
      env.check(SOCKSRC, 'rump.arp -n -a', { o: { match: `10.0.1.${n}` } });
    env.check(SOCKSRC, 'rump.arp -d -a', { o: 'ignore' });
    for (const n of [11, 12, 13, 14, 15, 1])
      env.check(SOCKSRC, `rump.arp -n 10.0.1.${n}`, { s: 'not-exit:0', e: 'ignore' });
    for (const n of [11, 12, 13, 14, 15]) env.checkRouteNoEntry(SOCKSRC, `10.0.1.${n}`);
    env.check(SOCKSRC, 'rump.arp -s 10.0.1.10 b2:a0:20:00:00:10 temp', { o: 'ignore' });
    checkArpStaticEntry(env, '10.0.1.10', 'b2:a0:20:00:00:10', 'temp');
    env.rumpServerDestroyIfaces();
  });

  it('arp_garp', () => {
    testGarpCommon(new AtfEnv(), false);
  });

  it('arp_garp_without_dad', () => {
    testGarpCommon(new AtfEnv(), true);
  });

  it('arp_cache_overwriting', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env);
    // A permanent entry cannot be overwritten.
    env.check(SOCKSRC, `rump.arp -s ${IP4DST} b2:a0:20:00:00:ff`);
    env.check(SOCKSRC, `rump.arp -s ${IP4DST} b2:a0:20:00:00:fe`, {
      s: 'not-exit:0',
      e: { match: 'File exists' },
    });
    env.check(SOCKSRC, `rump.arp -d ${IP4DST}`);
    env.check(SOCKSRC, `rump.ping -n -w ${TIMEOUT} -c 1 ${IP4DST}`, { o: 'ignore' });
    // A dynamic one can.
    env.check(SOCKSRC, `rump.arp -s ${IP4DST} b2:a0:20:00:00:00`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'b2:a0:20:00:00:00' } });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'permanent' } });
    env.check(SOCKSRC, 'rump.arp -s 10.0.1.10 b2:a0:20:00:00:10 temp', { o: 'ignore' });
    env.check(SOCKSRC, 'rump.arp -n 10.0.1.10', { o: { match: 'b2:a0:20:00:00:10' } });
    env.check(SOCKSRC, 'rump.arp -n 10.0.1.10', { o: { notMatch: 'permanent' } });
    // So can a temp one.
    env.check(SOCKSRC, 'rump.arp -s 10.0.1.10 b2:a0:20:00:00:ff', { o: 'ignore' });
    env.check(SOCKSRC, 'rump.arp -n 10.0.1.10', { o: { match: 'b2:a0:20:00:00:ff' } });
    env.rumpServerDestroyIfaces();
  });

  it('arp_proxy_arp_pub', () => {
    const env = new AtfEnv();
    testProxyArp(env, 'pub');
    env.rumpServerDestroyIfaces();
  });

  it('arp_proxy_arp_pubproxy', () => {
    const env = new AtfEnv();
    testProxyArp(env, 'pubproxy');
    env.rumpServerDestroyIfaces();
  });

  it('arp_link_activation', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env);
    env.extractNewPackets('bus1');
    env.check(SOCKSRC, 'rump.ifconfig shmif0 link b2:a1:00:00:00:01', { o: 'ignore' });
    env.sleep(1);
    matchOut(env.extractNewPackets('bus1'), pktArpReq(IP4SRC, IP4SRC), false);
    env.check(SOCKSRC, 'rump.ifconfig shmif0 link b2:a1:00:00:00:02 active', { o: 'ignore' });
    env.sleep(1);
    matchOut(env.extractNewPackets('bus1'), `b2:a1:00:00:00:02 ${pktArpReq(IP4SRC, IP4SRC)}`, true);
    env.rumpServerDestroyIfaces();
  });

  it('arp_static', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env);
    const macaddrSrc = env.getMacaddr(SOCKSRC, 'shmif0');
    env.check(SOCKDST, `rump.arp -s ${IP4SRC} ${macaddrSrc}`, { o: 'ignore' });
    // DST receives a request whose spa/sha match its static entry.
    env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST}`, { o: 'ignore' });
    env.rumpServerDestroyIfaces();
  });

  it('arp_rtm', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env);
    const macaddrDst = env.getMacaddr(SOCKDST, 'shmif0');
    const monitorCheck = (
      run: () => void,
      hdr: string,
      what: string,
      addr: string,
      afterDelete = false,
    ): void => {
      const job = env.routeMonitor(SOCKSRC, 1);
      env.sleep(1);
      run();
      let file = job.wait();
      if (afterDelete) {
        const at = file.split('\n').findIndex((l) => l.includes('RTM_DELETE'));
        file = `${file
          .split('\n')
          .slice(at, at + 4)
          .join('\n')}\n`;
      }
      for (const pattern of [hdr, what, addr]) matchOut(file, pattern, true);
    };
    monitorCheck(
      () => env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST}`, { o: 'ignore' }),
      'RTM_ADD.+<UP,HOST,DONE,LLINFO,CLONED>',
      '<DST,GATEWAY>',
      `${IP4DST} ${macaddrDst}`,
    );
    monitorCheck(
      () =>
        env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST_FAIL1}`, {
          s: 'exit:2',
          o: 'ignore',
          e: 'ignore',
        }),
      'RTM_MISS.+<DONE>',
      '<DST,GATEWAY,AUTHOR>',
      `${IP4DST_FAIL1} link#2 ${IP4SRC}`,
    );
    monitorCheck(
      () =>
        env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST_FAIL2}`, {
          s: 'exit:2',
          o: 'ignore',
          e: 'ignore',
        }),
      'RTM_MISS.+<DONE>',
      '<DST>',
      IP4DST_FAIL2,
    );
    monitorCheck(
      () => env.check(SOCKSRC, `rump.arp -d ${IP4DST}`, { o: 'ignore' }),
      'RTM_DELETE.+<HOST,DONE,LLINFO,CLONED>',
      '<DST,GATEWAY>',
      `${IP4DST} ${macaddrDst}`,
      true,
    );
    env.rumpServerDestroyIfaces();
  });

  it('arp_purge_on_route_change', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env);
    env.rumpServerAddIface(SOCKSRC, 'shmif1', 'bus1');
    env.check(SOCKSRC, `rump.ifconfig shmif1 inet ${IP4SRC2}/24`);
    env.check(SOCKSRC, 'rump.ifconfig -w 10');
    env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.route change -net ${IP4NET} -ifp shmif1`, { o: 'ignore' });
    // The entry went away with the route change.
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { s: 'not-exit:0', e: { match: 'no entry' } });
    env.rumpServerDestroyIfaces();
  });

  it('arp_purge_on_route_delete', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env);
    env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.route delete -net ${IP4NET}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { s: 'not-exit:0', e: { match: 'no entry' } });
    env.rumpServerDestroyIfaces();
  });

  it('arp_purge_on_ifdown', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env);
    env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, 'rump.ifconfig shmif0 down');
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { s: 'not-exit:0', e: { match: 'no entry' } });
    env.rumpServerDestroyIfaces();
  });

  it('arp_stray_entries', () => {
    const env = new AtfEnv();
    startTwo(env);
    setupDstServer(env);
    setupSrcServer(env);
    env.rumpServerAddIface(SOCKSRC, 'shmif1', 'bus1');
    env.check(SOCKSRC, `rump.ifconfig shmif1 inet ${IP4SRC2}/24`);
    env.check(SOCKSRC, 'rump.ifconfig -w 10');
    env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { notMatch: 'shmif1' } });
    env.check(SOCKSRC, 'rump.arp -da', { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { s: 'not-exit:0', e: { match: 'no entry' } });
    // From another source address the reply comes back on shmif1 and leaves an entry there.
    env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 -I ${IP4SRC2} ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'shmif1' } });
    env.check(SOCKSRC, 'rump.arp -da', { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { s: 'not-exit:0', e: { match: 'no entry' } });
    // DST still knows 10.0.1.5: no request reaches shmif1 this time.
    env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 -I ${IP4SRC2} ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { notMatch: 'shmif1' } });
    env.check(SOCKDST, 'rump.arp -da', { o: 'ignore' });
    env.check(SOCKSRC, `rump.ping -n -w 1 -c 1 -I ${IP4SRC2} ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'shmif0' } });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { o: { match: 'shmif1' } });
    // arp -d <ip> removes both.
    env.check(SOCKSRC, `rump.arp -d ${IP4DST}`, { o: 'ignore' });
    env.check(SOCKSRC, `rump.arp -n ${IP4DST}`, { s: 'not-exit:0', e: { match: 'no entry' } });
    env.rumpServerDestroyIfaces();
  });

  it('arp_cache_creation', () => {
    testCacheCreationCommon(new AtfEnv(), false);
  });

  it('arp_cache_creation_nodad', () => {
    testCacheCreationCommon(new AtfEnv(), true);
  });
});
