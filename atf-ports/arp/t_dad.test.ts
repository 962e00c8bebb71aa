/**
 * Port of NetBSD tests/net/arp/t_dad.sh (rev 1.13): IPv4 duplicate address detection,
 * probes from 0.0.0.0, the announcement, and the DUPLICATED flag. `sleep` runs on the
 * virtual clock.
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const SOCKLOCAL = 'unix://commsock1';
const SOCKPEER = 'unix://commsock2';

function setupServer(env: AtfEnv, sock: string, ip: string): void {
  env.rumpServerAddIface(sock, 'shmif0', 'bus1');
  env.check(sock, `rump.ifconfig shmif0 inet ${ip}/24`);
  env.check(sock, 'rump.ifconfig shmif0 up');
  env.check(sock, 'rump.ifconfig -w 10');
}

/** make_pkt_str: the tcpdump text of a broadcast ARP request (grep -q, a basic regex). */
const makePktStr = (target: string, sender: string): string =>
  `> ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has ${target} tell ${sender}, length 28`;

/** `cat ./out | grep -q 'PKT'` with the exit status atf_check expects. */
function grepQ(out: string, pkt: string, want: boolean): void {
  // grep's basic regex: `(` and `)` are literal, `.` is any character.
  const re = new RegExp(pkt.replace(/[()]/g, '\\$&'));
  const hit = out.split('\n').some((l) => re.test(l));
  if (hit !== want) throw new Error(`grep -q '${pkt}' ${want ? 'missed' : 'hit'}\n${out}`);
}

/** `rump.ifconfig shmif0 | grep ADDR | grep -iq WORD`. */
function ifconfigLineHas(env: AtfEnv, sock: string, addr: string, word: string): boolean {
  const out = env.run(sock, 'rump.ifconfig shmif0').stdout;
  const addrRe = new RegExp(addr); // grep's `.` matches any character, as here
  return out.split('\n').some((l) => addrRe.test(l) && l.toLowerCase().includes(word));
}

function expectFlag(env: AtfEnv, sock: string, addr: string, word: string, want: boolean): void {
  if (ifconfigLineHas(env, sock, addr, word) !== want) {
    throw new Error(
      `ifconfig shmif0 | grep ${addr} | grep -iq ${word}: expected ${want ? 'a match' : 'none'}`,
    );
  }
}

describe('arp/t_dad', () => {
  reportSleeps('arp/t_dad');

  it('dad_basic', () => {
    const env = new AtfEnv();
    env.rumpServerStart(SOCKLOCAL);
    env.rumpServerAddIface(SOCKLOCAL, 'shmif0', 'bus1');
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0 inet 10.0.0.1/24');
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0 inet 10.0.0.2/24 alias');
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0 up');
    // The primary address does not start tentative.
    expectFlag(env, SOCKLOCAL, '10.0.0.1', 'tentative', false);

    env.sleep(2);
    let out = env.extractNewPackets('bus1');
    // Probes for the alias, none for the primary address.
    grepQ(out, makePktStr('10.0.0.2', '0.0.0.0'), true);
    grepQ(out, makePktStr('10.0.0.1', '0.0.0.0'), false);

    env.check(SOCKLOCAL, 'rump.ifconfig -w 10');
    env.sleep(1);
    out = env.extractNewPackets('bus1');
    grepQ(out, makePktStr('10.0.0.2', '10.0.0.2'), true);
    expectFlag(env, SOCKLOCAL, '10.0.0.2', 'tentative', false);

    // A new address on the fly.
    env.check(SOCKLOCAL, 'rump.ifconfig shmif0 inet 10.0.0.3/24 alias');
    env.sleep(2);
    out = env.extractNewPackets('bus1');
    grepQ(out, makePktStr('10.0.0.3', '0.0.0.0'), true);

    env.check(SOCKLOCAL, 'rump.ifconfig -w 10');
    env.sleep(1);
    out = env.extractNewPackets('bus1');
    grepQ(out, makePktStr('10.0.0.3', '10.0.0.3'), true);
    expectFlag(env, SOCKLOCAL, '10.0.0.3', 'tentative', false);

    env.rumpServerDestroyIfaces();
  });

  it('dad_duplicated', () => {
    const env = new AtfEnv();
    const localip1 = '10.0.1.1';
    const localip2 = '10.0.1.11';
    const peerip = '10.0.1.2';
    env.rumpServerStart(SOCKLOCAL);
    env.rumpServerStart(SOCKPEER);
    setupServer(env, SOCKLOCAL, localip1);
    setupServer(env, SOCKPEER, peerip);

    expectFlag(env, SOCKLOCAL, localip1, 'duplicated', false);

    // An address the peer already owns: the peer answers the probe.
    env.check(SOCKLOCAL, `rump.ifconfig shmif0 inet ${peerip} alias`);
    env.sleep(1);
    expectFlag(env, SOCKLOCAL, peerip, 'duplicated', true);

    env.check(SOCKLOCAL, `rump.ifconfig shmif0 inet ${localip2} alias`);
    env.sleep(1);
    expectFlag(env, SOCKLOCAL, localip2, 'duplicated', false);

    env.rumpServerDestroyIfaces();
  });
});
