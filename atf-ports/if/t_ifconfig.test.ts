/**
 * Port of NetBSD tests/net/if/t_ifconfig.sh (rev 1.15): interface create/destroy, the
 * display options of ifconfig(8), and interface parameters (link addresses, aliases,
 * -arp, netmask, broadcast, metric, IPv6 prefixlen/anycast/deprecated/pltime/eui64).
 */
import { describe, it } from 'vitest';
import { reportSleeps } from '../harness/ledger.ts';
import { AtfEnv } from '../harness/net-common.ts';

const RUMP_SERVER1 = 'unix://./r1';
const RUMP_SERVER2 = 'unix://./r2';
// -lrumpnet_netinet6 is among RUMP_FLAGS.
const LIBS = ['netinet6'] as const;
const TIMEOUT = 3;
const anycast = '[Aa][Nn][Yy][Cc][Aa][Ss][Tt]';
const deprecated = '[Dd][Ee][Pp][Rr][Ee][Cc][Aa][Tt][Ee][Dd]';

describe('if/t_ifconfig', () => {
  reportSleeps('if/t_ifconfig');

  it('ifconfig_create_destroy', () => {
    const env = new AtfEnv();
    env.rumpServerStart(RUMP_SERVER1, ...LIBS);
    const s = RUMP_SERVER1;
    // Without an address
    env.check(s, 'rump.ifconfig shmif0 create');
    env.check(s, 'rump.ifconfig shmif0 destroy');
    // With an IPv4 address
    env.check(s, 'rump.ifconfig shmif0 create');
    env.check(s, 'rump.ifconfig shmif0 linkstr shmbus');
    env.check(s, 'rump.ifconfig shmif0 192.168.0.1/24');
    env.check(s, 'rump.ifconfig shmif0 up');
    env.check(s, 'rump.ifconfig shmif0 destroy');
    // With an IPv6 address
    env.check(s, 'rump.ifconfig shmif0 create');
    env.check(s, 'rump.ifconfig shmif0 linkstr shmbus');
    env.check(s, 'rump.ifconfig shmif0 inet6 fc00::1');
    env.check(s, 'rump.ifconfig shmif0 up');
    env.check(s, 'rump.ifconfig shmif0 destroy');
  });

  it('ifconfig_options', () => {
    const env = new AtfEnv();
    env.rumpServerStart(RUMP_SERVER1, ...LIBS);
    const s = RUMP_SERVER1;
    const ok = { o: 'ignore' } as const;
    const has = (re: string) => ({ o: { match: re } });
    const lacks = (re: string) => ({ o: { notMatch: re } });
    env.check(s, 'rump.ifconfig shmif0 create', ok);
    env.check(s, 'rump.ifconfig shmif0 linkstr bus1', ok);
    env.check(s, 'rump.ifconfig shmif0 inet 10.0.0.1/24', ok);
    env.check(s, 'rump.ifconfig shmif0 inet6 fc00::1/64', ok);
    env.check(s, 'rump.ifconfig shmif0 up', ok);
    env.check(s, 'rump.ifconfig -w 10', ok);

    // ifconfig [-N] interface address_family
    env.check(s, 'rump.ifconfig lo0 inet', has('inet 127.0.0.1'));
    env.check(s, 'rump.ifconfig -N lo0 inet', has('inet localhost'));
    env.check(s, 'rump.ifconfig lo0 inet6', has('inet6 ::1'));
    env.check(s, 'rump.ifconfig -N lo0 inet6', has('inet6 localhost'));
    env.check(s, 'rump.ifconfig lo0 atalk', { s: 'not-exit:0', e: { match: 'not supported' } });
    env.check(s, 'rump.ifconfig -N lo0 atalk', { s: 'not-exit:0', e: { match: 'not supported' } });
    env.check(s, 'rump.ifconfig lo0 link', ok);
    env.check(s, 'rump.ifconfig -N lo0 link', ok);

    // ifconfig [-hLmNvz] interface
    env.check(s, 'rump.ifconfig -h -v lo0', ok);
    env.check(s, 'rump.ifconfig shmif0 inet6 fc00::2 pltime 100', ok);
    env.check(s, 'rump.ifconfig -L shmif0', has('pltime'));
    env.check(s, 'rump.ifconfig -L shmif0', has('vltime'));
    env.check(s, 'rump.ifconfig -m shmif0', ok);
    env.check(s, 'rump.ifconfig -N lo0', has('localhost'));
    env.check(s, 'rump.ifconfig -v lo0', has('0 packets'));
    env.check(s, `rump.ping -c 1 -w ${TIMEOUT} localhost`, ok);
    // -z shows the statistics, then clears them.
    env.check(s, 'rump.ifconfig -z lo0', has('2 packets'));
    env.check(s, 'rump.ifconfig -v lo0', has('0 packets'));

    // ifconfig -a [-bdhLNmsuvz]
    env.check(s, 'rump.ifconfig -a', { o: [{ match: 'shmif0' }, { match: 'lo0' }] });
    env.check(s, 'rump.ifconfig -a -b', { o: [{ match: 'shmif0' }, { notMatch: 'lo0' }] });
    env.check(s, 'rump.ifconfig shmif0 down', ok);
    env.check(s, 'rump.ifconfig -a -d', has('shmif0'));
    env.check(s, 'rump.ifconfig shmif0 up', ok);
    env.check(s, 'rump.ifconfig -a -d', lacks('shmif0'));
    env.check(s, 'rump.ifconfig -a -L', has('pltime'));
    env.check(s, 'rump.ifconfig -a -L', has('vltime'));
    env.check(s, 'rump.ifconfig -a -N', has('localhost'));
    env.check(s, 'rump.ifconfig -a -m', ok);
    // shmif is always connected.
    env.check(s, 'rump.ifconfig -a -s', ok);
    env.check(s, 'rump.ifconfig -a -u', has('shmif0'));
    env.check(s, 'rump.ifconfig shmif0 down', ok);
    env.check(s, 'rump.ifconfig -a -u', lacks('shmif0'));
    env.check(s, 'rump.ifconfig shmif0 up', ok);
    env.check(s, 'rump.ifconfig -a -v', has('0 packets'));
    env.check(s, `rump.ping -c 1 -w ${TIMEOUT} localhost`, ok);
    env.check(s, 'rump.ifconfig shmif0 down', ok);
    env.check(s, 'rump.ifconfig -a -z', has('2 packets'));
    env.check(s, 'rump.ifconfig -a -v', lacks('2 packets'));
    env.check(s, 'rump.ifconfig -a -v', has('0 packets'));
    env.check(s, 'rump.ifconfig shmif0 up', ok);

    // ifconfig -l [-bdsu]
    env.check(s, 'rump.ifconfig -l', has('lo0'));
    env.check(s, 'rump.ifconfig -l', has('shmif0'));
    env.check(s, 'rump.ifconfig -l -b', has('shmif0'));
    env.check(s, 'rump.ifconfig -l -b', lacks('lo0'));
    env.check(s, 'rump.ifconfig -l -d', ok);
    env.check(s, 'rump.ifconfig -l -s', has('lo0'));
    env.check(s, 'rump.ifconfig -l -s', has('shmif0'));
    env.check(s, 'rump.ifconfig -l -u', has('lo0'));
    env.check(s, 'rump.ifconfig -l -u', has('shmif0'));

    // ifconfig -s interface: exit 0 when connected, with nothing printed.
    env.check(s, 'rump.ifconfig -s lo0', { o: 'empty' });
    env.check(s, 'rump.ifconfig -s shmif0', { o: 'empty' });

    // ifconfig -C lists the cloners.
    env.check(s, 'rump.ifconfig -C', has('shmif carp lo'));
  });

  it('ifconfig_parameters', () => {
    const env = new AtfEnv();
    env.rumpServerStart(RUMP_SERVER1, ...LIBS);
    env.rumpServerStart(RUMP_SERVER2, ...LIBS);
    const r1 = RUMP_SERVER1;
    const r2 = RUMP_SERVER2;
    env.check(r1, 'rump.ifconfig shmif0 create');
    env.check(r1, 'rump.ifconfig shmif0 linkstr shmbus');
    env.check(r1, 'rump.ifconfig shmif0 192.168.0.1/24');
    env.check(r1, 'rump.ifconfig shmif0 up');

    env.check(r2, 'rump.ifconfig shmif0 create');
    env.check(r2, 'rump.ifconfig shmif0 linkstr shmbus');
    env.check(r2, 'rump.ifconfig shmif0 192.168.0.2/24');
    env.check(r2, 'rump.ifconfig shmif0 inet 192.168.0.3/24 alias');
    env.check(r2, 'rump.ifconfig shmif0 up');

    const ping = (target: string): string => `rump.ping -c 1 -w ${TIMEOUT} -n ${target}`;
    const fails = { s: 'not-exit:0', o: 'ignore', e: 'ignore' } as const;

    // active
    env.check(r1, 'rump.ifconfig shmif0 link b2:a0:75:00:00:01 active');
    env.check(r1, 'rump.ifconfig shmif0', { o: { match: 'address:.b2:a0:75:00:00:01' } });
    // down, up
    env.check(r1, 'rump.ifconfig shmif0 down');
    env.check(r1, ping('192.168.0.2'), fails);
    env.check(r1, 'rump.ifconfig shmif0 up');
    env.check(r1, 'rump.ifconfig -w 10');
    env.check(r1, ping('192.168.0.2'), { o: 'ignore' });

    // alias
    env.check(r1, 'rump.ifconfig shmif0 inet 192.168.1.1/24 alias');
    env.check(r1, 'rump.ifconfig shmif0', { o: { match: '192.168.1.1/24' } });
    env.check(r1, 'rump.ifconfig shmif0 inet 192.168.1.1/24 -alias');
    env.check(r1, 'rump.ifconfig shmif0', { o: { notMatch: '192.168.1.1/24' } });
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::1');
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::2');
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { match: 'fc00::1' } });
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { match: 'fc00::2' } });

    // delete
    env.check(r1, 'rump.ifconfig shmif0 inet 192.168.1.1 alias');
    env.check(r1, 'rump.ifconfig shmif0 inet 192.168.1.1 delete');
    env.check(r1, 'rump.ifconfig shmif0 inet', { o: { notMatch: '192.168.1.1' } });
    env.check(r1, 'rump.ifconfig shmif0 inet 192.168.0.1 delete');
    env.check(r1, 'rump.ifconfig shmif0 inet', { o: { notMatch: '192.168.0.1' } });
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::1 delete');
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::2 delete');
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { notMatch: 'fc00::1' } });
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { notMatch: 'fc00::2' } });
    // An inactive link address can go, the active one cannot.
    env.check(r1, 'rump.ifconfig shmif0 link b2:a0:75:00:00:02');
    env.check(r1, 'rump.ifconfig shmif0 link b2:a0:75:00:00:02 delete');
    env.check(r1, 'rump.ifconfig shmif0 link b2:a0:75:00:00:01 delete', {
      s: 'not-exit:0',
      e: { match: 'SIOCDLIFADDR: Device busy' },
    });

    env.check(r1, 'rump.ifconfig shmif0 inet 192.168.0.1/24');

    // arp
    env.check(r1, 'rump.ifconfig shmif0 -arp');
    env.check(r1, ping('192.168.0.3'), fails);
    env.check(r1, 'rump.arp -an', { o: { notMatch: '192.168.0.3' } });
    // No llinfo route for it either.
    env.check(r1, 'rump.netstat -nr', { o: { notMatch: '192.168.0.3' } });

    // netmask
    env.check(r1, 'rump.ifconfig shmif0 inet 172.16.0.1 netmask 255.255.255.0 alias');
    env.check(r1, 'rump.netstat -rn -f inet', { o: { match: '172.16.0/24' } });
    env.check(r1, 'rump.ifconfig shmif0 inet 172.16.0.1 delete');

    // broadcast
    env.check(r1, 'rump.ifconfig shmif0 inet 172.16.0.1 broadcast 255.255.255.255 alias');
    env.check(r1, 'rump.ifconfig shmif0 inet', { o: { match: 'broadcast 255.255.255.255' } });

    // metric (external only)
    env.check(r1, 'rump.ifconfig shmif0 metric 10');
    env.check(r1, 'rump.ifconfig shmif0 metric 0');

    // prefixlen
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::1 prefixlen 70');
    env.check(r1, 'rump.netstat -rn -f inet6', { o: { match: 'fc00::/70' } });

    // anycast
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::2 anycast');
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { match: `fc00::2.+${anycast}` } });

    // deprecated: set by the nd6 timer, so not at once.
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::3 deprecated');
    // The original reads the interval with the host's sysctl(8); the rump kernel's is the same.
    const interval = Number(
      env.check(r1, 'rump.sysctl -n net.inet6.icmp6.nd6_prune', { o: 'ignore' }).stdout.trim(),
    );
    env.sleep(interval + 1);
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { match: `fc00::3.+${deprecated}` } });
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::3 -deprecated');
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { notMatch: `fc00::3.+${deprecated}` } });

    // pltime
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00::3 pltime 3');
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { notMatch: `fc00::3.+${deprecated}` } });
    env.sleep(5);
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { match: `fc00::3.+${deprecated}` } });

    // eui64
    env.check(r1, 'rump.ifconfig shmif0 inet6 fc00:1::0 eui64');
    env.check(r1, 'rump.ifconfig shmif0 inet6', { o: { match: 'fc00:1::' } });
  });
});
