import { describe, expect, it } from 'vitest';
import { type CpuId, cpuId, packetId, threadId, virtualNs } from '../brand.ts';
import type { Packet } from '../packet.ts';
import { unwrap } from '../result.ts';
import { makeFlow } from '../rss/flowhash.ts';
import { VirtualClock } from '../sim/clock.ts';
import { StatCounters } from '../stats.ts';
import { type TraceEvent, TraceRecorder } from '../trace.ts';
import { type LinuxHostConfig, resolveLinuxConfig } from './config.ts';
import type { LinuxEnv, Skb } from './env.ts';
import { RpsSockFlowTable } from './rps.ts';
import { UDP_PORT, udpTo } from './scenarios.ts';
import { UdpSock, UdpStack } from './udp.ts';

/**
 * net/ipv4/udp.c as the model ports it, driven directly: socket lookup, the rcvbuf test at its
 * edges on each version, the pre-4.10 socket backlog, recvmsg's uncharge and RFS record.
 */
type Rig = ReturnType<typeof rig>;

function rig(config: Omit<LinuxHostConfig, 'cpuCount'>) {
  const cfg = unwrap(resolveLinuxConfig({ cpuCount: 2, ...config }));
  const trace = new TraceRecorder(10_000);
  const stats = new StatCounters();
  let buf = 100;
  let clone = 0;
  const env: LinuxEnv = {
    cfg,
    trace,
    clock: new VirtualClock(),
    stats,
    has: (v) => cfg.variants.has(v),
    nextBuf: () => buf++,
    nextCloneId: () => packetId(1_000_000 + clone++),
  };
  const socks = cfg.sockets.map((s) => new UdpSock(s));
  const rfs = new RpsSockFlowTable(4096, 2);
  const deferred: number[] = [];
  const udp = new UdpStack(env, socks, rfs, (skb) => deferred.push(skb.buf));
  const events = () => trace.finish({ kind: 'end', atNs: virtualNs(0), outcome: 'done' } as never);
  return { udp, socks, rfs, stats, deferred, events };
}

let nextId = 0;
/** An skb of `truesizeBytes` for a flow to `dst`:`dport`, allocated on CPU 0. */
function skb(dst = '10.0.0.1', dport = UDP_PORT, truesizeBytes = 100): Skb {
  const flow = unwrap(makeFlow(7, { ...udpTo(7, dport), dst }));
  const id = packetId(nextId++);
  const pkt = { id, flow, seq: 0, hash: 0x1234_5678 } as unknown as Packet;
  return { buf: id, pkt, id, allocCpu: cpuId(0), truesizeBytes, secpathBuf: undefined, cloneOf: undefined };
}

const on = (cpu = 0) => ({ cpu: cpuId(cpu) as CpuId, thread: threadId(0) });
const only = <K extends TraceEvent['kind']>(t: readonly TraceEvent[], kind: K) =>
  t.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);
const queued = (r: Rig) => only(r.events(), 'sock-queue').map((e) => [e.sock, e.outcome, e.rmemBeforeBytes]);

describe('socket lookup (__udp4_lib_rcv, __udp4_lib_mcast_deliver)', () => {
  it('a new socket is not owned by its reader and has nothing to read', () => {
    const r = rig({ sockets: [{ port: UDP_PORT }] });
    const [s] = r.socks;
    expect(s?.ownedByUser).toBe(false);
    expect(r.udp.readable(s as UdpSock)).toBe(false);
  });

  it('a unicast datagram goes to the socket bound to its destination port, only', () => {
    const r = rig({ sockets: [{ port: 5001 }, { port: 5002 }] });
    r.udp.rcv(skb('10.0.0.1', 5002), on());
    expect(queued(r)).toEqual([[1, 'queued', 0]]);
  });

  it('a unicast datagram skips a group member on its port; two unicast sockets: the first, no clone', () => {
    const r = rig({
      sockets: [{ port: UDP_PORT, group: '239.1.1.1' }, { port: UDP_PORT }, { port: UDP_PORT }],
    });
    r.udp.rcv(skb(), on());
    const t = r.events();
    expect(only(t, 'sock-queue').map((e) => e.sock)).toEqual([1]);
    expect(only(t, 'alloc')).toEqual([]);
  });

  // ipv4_is_multicast: (addr & 0xf0000000) == 0xe0000000, i.e. 224.0.0.0 - 239.255.255.255.
  it.each([
    ['224.0.0.251', true],
    ['239.255.255.250', true],
    ['223.255.255.255', false],
    ['240.0.0.1', false],
  ])('%s is multicast: %s', (dst, mcast) => {
    const r = rig({ sockets: [{ port: UDP_PORT, group: dst }, { port: UDP_PORT }] });
    r.udp.rcv(skb(dst), on());
    expect(only(r.events(), 'sock-queue').map((e) => e.sock)).toEqual([mcast ? 0 : 1]);
  });

  it('multicast: a clone per extra member, allocated as an skb on the delivering CPU', () => {
    const r = rig({
      sockets: [
        { port: UDP_PORT, group: '239.1.1.1' },
        { port: UDP_PORT, group: '239.1.1.1' },
      ],
    });
    const orig = skb('239.1.1.1');
    r.udp.rcv(orig, on(1));
    const t = r.events();
    expect(only(t, 'alloc')).toEqual([
      { kind: 'alloc', atNs: 0, buf: 100, what: 'skb', cpu: 1, pkt: 1_000_000 },
    ]);
    const q = only(t, 'sock-queue');
    expect(q.map((e) => [e.sock, e.pkt, e.cloneOf])).toEqual([
      [1, 1_000_000, orig.id],
      [0, orig.id, undefined],
    ]);
    // The original's event carries no cloneOf field at all.
    expect(Object.hasOwn(q[1] ?? {}, 'cloneOf')).toBe(false);
  });

  it('no socket on the port: Udp.NoPorts, a socket drop naming it, and the skb freed', () => {
    const r = rig({ sockets: [{ port: 6000 }] });
    const s = skb();
    r.udp.rcv(s, on(1));
    const t = r.events();
    expect(only(t, 'drop')).toEqual([
      {
        kind: 'drop',
        atNs: 0,
        pkt: s.id,
        flow: 7,
        where: 'socket',
        reason: 'no socket bound to the port',
        counter: 'Udp.NoPorts',
        cpu: 1,
      },
    ]);
    expect(only(t, 'free').map((e) => e.buf)).toEqual([s.buf]);
    expect(r.stats.snapshot()).toEqual({ 'Udp.NoPorts': 1 });
  });
});

/** One skb of `size` offered to socket 0 holding `rmem` bytes already (sk_rcvbuf 1000). */
function offer(config: Omit<LinuxHostConfig, 'cpuCount' | 'sockets'>, rmem: number, size = 100) {
  const r = rig({ ...config, sockets: [{ port: UDP_PORT, rcvbufBytes: 1000 }] });
  const s = r.socks[0] as UdpSock;
  s.rmemAllocBytes = rmem;
  r.udp.queueRcv(s, skb('10.0.0.1', UDP_PORT, size), on());
  return only(r.events(), 'sock-queue')[0]?.outcome;
}

describe('the rcvbuf test (U2) at its edges', () => {
  // 6.18 __udp_enqueue_schedule_skb: "if (rmem + size > rcvbuf) { if (rcvbuf > INT_MAX >> 1) goto drop; if (rmem) goto drop; }"
  it('6.18: taken iff it fits or the queue is empty', () => {
    expect(offer({}, 900)).toBe('queued');
    expect(offer({}, 901)).toBe('dropped');
    expect(offer({}, 0, 5000)).toBe('queued');
  });

  // Before 9aaec660b5be: "if (rmem > sk->sk_rcvbuf) goto drop;" with rmem read before the charge.
  it('6.6: taken while sk_rmem_alloc <= sk_rcvbuf, whatever the size', () => {
    expect(offer({ kernel: 'linux-6.6' }, 1000, 500)).toBe('queued');
    expect(offer({ kernel: 'linux-6.6' }, 1001)).toBe('dropped');
  });

  // Before 4.10, sock_queue_rcv_skb: "if (atomic_read(&sk->sk_rmem_alloc) >= sk->sk_rcvbuf)" drops.
  it('before 4.10 (socket lock): taken while sk_rmem_alloc < sk_rcvbuf, whatever the size', () => {
    expect(offer({ udpSocketBacklog: true }, 999, 500)).toBe('queued');
    expect(offer({ udpSocketBacklog: true }, 1000)).toBe('dropped');
  });

  it('the broken variant refuses past half of sk_rcvbuf, but still takes into an empty queue', () => {
    const v = { variants: ['linux-udp-drops-below-rcvbuf' as const] };
    expect(offer(v, 400)).toBe('queued');
    expect(offer(v, 401)).toBe('dropped');
    expect(offer(v, 0, 5000)).toBe('queued');
    expect(offer({ ...v, udpSocketBacklog: true }, 401)).toBe('dropped');
  });

  it('a drop names the socket: "socket receive buffer full", counter udp_sockN.drops', () => {
    const r = rig({ sockets: [{ port: 6000 }, { port: UDP_PORT, rcvbufBytes: 10 }] });
    r.udp.rcv(skb(), on());
    r.udp.rcv(skb(), on());
    const d = only(r.events(), 'drop');
    expect(d.map((e) => [e.where, e.reason, e.counter])).toEqual([
      ['socket', 'socket receive buffer full', 'udp_sock1.drops'],
    ]);
    expect(r.socks[1]?.drops).toBe(1);
  });
});

describe('before 4.10: sk_backlog while the reader owns the socket (U6)', () => {
  const backlogRig = (rmem: number) => {
    const r = rig({ udpSocketBacklog: true, sockets: [{ port: UDP_PORT, rcvbufBytes: 1000 }] });
    const s = r.socks[0] as UdpSock;
    s.rmemAllocBytes = rmem;
    s.ownedByUser = true;
    return { r, s };
  };

  it('sk_rcvqueues_full: rmem + backlog > rcvbuf drops, the charge seen is their sum', () => {
    const { r, s } = backlogRig(600);
    for (let i = 0; i < 6; i++) r.udp.queueRcv(s, skb(), on());
    expect(queued(r)).toEqual([
      [0, 'backlog', 600],
      [0, 'backlog', 700],
      [0, 'backlog', 800],
      [0, 'backlog', 900],
      [0, 'backlog', 1000],
      [0, 'dropped', 1100],
    ]);
    expect(s.backlogBytes).toBe(500);
  });

  it('release_sock runs the backlog under the lock rule (rmem < rcvbuf), then the queue reads', () => {
    const { r, s } = backlogRig(950);
    r.udp.queueRcv(s, skb(), on());
    r.udp.recvmsg(s, on());
    expect(s.ownedByUser).toBe(false);
    expect(s.backlogBytes).toBe(0);
    expect(s.rmemAllocBytes).toBe(1050);
    expect(queued(r)).toEqual([
      [0, 'backlog', 950],
      [0, 'queued', 950],
    ]);
  });

  it('a socket nobody owns takes the skb at once under the lock rule', () => {
    const r = rig({ udpSocketBacklog: true, sockets: [{ port: UDP_PORT, rcvbufBytes: 1000 }] });
    const s = r.socks[0] as UdpSock;
    s.rmemAllocBytes = 950;
    r.udp.queueRcv(s, skb(), on());
    expect(queued(r)).toEqual([[0, 'queued', 950]]);
  });

  it('a read takes the socket lock: the next datagram goes to sk_backlog', () => {
    const r = rig({ udpSocketBacklog: true, sockets: [{ port: UDP_PORT }] });
    const s = r.socks[0] as UdpSock;
    r.udp.queueRcv(s, skb(), on());
    r.udp.recvmsg(s, on());
    expect(s.ownedByUser).toBe(true);
    r.udp.queueRcv(s, skb(), on());
    expect(queued(r).map((q) => q[1])).toEqual(['queued', 'backlog']);
  });
});

describe('recvmsg (udp_recvmsg, skb_consume_udp)', () => {
  it('uncharges sk_rmem_alloc (the rx_queue column) and counts InDatagrams; no lock from 4.10', () => {
    const r = rig({ sockets: [{ port: UDP_PORT }] });
    const s = r.socks[0] as UdpSock;
    r.udp.queueRcv(s, skb('10.0.0.1', UDP_PORT, 768), on());
    r.udp.queueRcv(s, skb('10.0.0.1', UDP_PORT, 768), on());
    expect(s.rxQueueBytes).toBe(1536);
    r.udp.recvmsg(s, on(1));
    expect(s.rxQueueBytes).toBe(768);
    expect(s.ownedByUser).toBe(false);
    r.udp.recvmsg(s, on(1));
    expect(r.udp.readable(s)).toBe(false);
    expect(r.stats.get('Udp.InDatagrams')).toBe(2);
    expect(r.deferred).toHaveLength(2);
  });

  it('an empty queue: nothing read, nothing counted', () => {
    const r = rig({ sockets: [{ port: UDP_PORT }] });
    r.udp.recvmsg(r.socks[0] as UdpSock, on());
    expect(r.events()).toHaveLength(1);
    expect(r.stats.snapshot()).toEqual({});
  });

  // sock_rps_record_flow records sk_rxhash of a connected socket; a group member is not steered.
  it('RFS records a connected unicast socket on the reading CPU, never a group member', () => {
    const r = rig({
      sockets: [
        { port: UDP_PORT, connected: true },
        { port: UDP_PORT, group: '239.1.1.1', connected: true },
      ],
    });
    const [uni, group] = r.socks as [UdpSock, UdpSock];
    r.udp.queueRcv(group, skb('239.1.1.1'), on());
    r.udp.recvmsg(group, on(1));
    expect(r.rfs.entry(0x1234_5678)).toBe(0);
    r.udp.queueRcv(uni, skb(), on());
    r.udp.recvmsg(uni, on(1));
    expect(r.rfs.entry(0x1234_5678)).toBe(0x1234_5679);
  });
});

describe('udpv6_rcv: the same socket path, counted in the Udp6 row of /proc/net/snmp6', () => {
  const skb6 = (truesizeBytes: number): Skb => {
    const flow = unwrap(
      makeFlow(8, {
        family: 'inet6',
        ipProto: 17,
        src: '2001:db8:9::1',
        dst: '2001:db8:1::1',
        sport: 30_000,
        dport: UDP_PORT,
      }),
    );
    const id = packetId(nextId++);
    const pkt = { id, flow, seq: 0, hash: 0x1234_5678 } as unknown as Packet;
    return { buf: id, pkt, id, allocCpu: cpuId(0), truesizeBytes, secpathBuf: undefined, cloneOf: undefined };
  };

  it('a receive-buffer drop bumps Udp6RcvbufErrors and Udp6InErrors, a read Udp6InDatagrams; the Udp row stays 0', () => {
    const r = rig({ sockets: [{ port: UDP_PORT, rcvbufBytes: 1000 }] });
    r.udp.rcv(skb6(900), on());
    r.udp.rcv(skb6(200), on());
    r.udp.recvmsg(r.socks[0] as UdpSock, on());
    expect(only(r.events(), 'sock-queue').map((e) => [e.outcome, e.family])).toEqual([
      ['queued', 'inet6'],
      ['dropped', 'inet6'],
    ]);
    expect(r.stats.snapshot()).toEqual({
      'Udp6.InDatagrams': 1,
      'Udp6.RcvbufErrors': 1,
      'Udp6.InErrors': 1,
    });
  });

  it('no socket on the port: Udp6NoPorts', () => {
    const r = rig({ sockets: [{ port: UDP_PORT + 1 }] });
    r.udp.rcv(skb6(100), on());
    expect(r.stats.snapshot()).toEqual({ 'Udp6.NoPorts': 1 });
  });
});
