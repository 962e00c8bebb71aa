/**
 * The Ethernet layer, the shmif bus and the virtual world: what is counted, captured and
 * delivered, and when (NetBSD sys/net/if_ethersubr.c ether_input/ether_output, rump libshmif
 * shmif_start/shmif_rcv, sys/net/if_loop.c looutput).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../brand.ts';
import { unwrap } from '../result.ts';
import { bootHost } from './boot.ts';
import { ShmifBus } from './bus.ts';
import { etherHooks, etherInput, etherInputLocal, etherTransmit, isGroupMac, loopOutput } from './ether.ts';
import { activeMac } from './ifnet.ts';
import { ifCreate, ifSetLinkstr, ifSetUp } from './ifops.ts';
import { inAddAddress } from './in.ts';
import { type InAddr, parseInAddr } from './inet.ts';
import { ipPacket } from './ip.ts';
import { ETHER_BROADCAST, type Mac } from './mac.ts';
import type { EtherFrame, Ipv4Packet } from './wire.ts';
import { BUS_LATENCY_NS, LOOP_LATENCY_NS, NetWorld, SeededRandom } from './world.ts';

const a = (text: string): InAddr => parseInAddr(text) as InAddr;
const OTHER = 'b2:a0:00:00:99:01' as Mac;

function pair() {
  const world = new NetWorld(1);
  const mk = (name: string, addr: string) => {
    const host = bootHost(world, name);
    host.sysctl['net.inet.ip.dad_count'] = 0;
    const ifp = unwrap(ifCreate(host, 'shmif0'));
    unwrap(ifSetLinkstr(host, ifp, 'bus1'));
    unwrap(inAddAddress(host, ifp, { addr: a(addr), prefixLen: 24 }));
    return { host, ifp };
  };
  const x = mk('x', '10.0.0.1');
  const y = mk('y', '10.0.0.2');
  world.runFor(NS_PER_SECOND);
  return { world, x, y };
}

const echo = (host: ReturnType<typeof bootHost>, src: string, dst: string): Ipv4Packet =>
  ipPacket(host, a(src), a(dst), {
    proto: 'icmp',
    icmp: { type: 'echo-request', id: 1, seq: 1, dataBytes: 56 },
  });

describe('ether output and input', () => {
  it('group addresses are those with the I/G bit', () => {
    expect(isGroupMac(ETHER_BROADCAST)).toBe(true);
    expect(isGroupMac('01:00:5e:00:00:01' as Mac)).toBe(true);
    expect(isGroupMac('33:33:00:00:00:01' as Mac)).toBe(true);
    expect(isGroupMac('b2:a0:00:00:00:01' as Mac)).toBe(false);
    expect(isGroupMac('02:00:00:00:00:01' as Mac)).toBe(false);
  });

  it('a transmitted frame is counted (bytes, multicasts), captured, and seen by the peer after the bus latency', () => {
    const { world, x, y } = pair();
    const seen: Ipv4Packet[] = [];
    const saved = etherHooks.ipInput;
    etherHooks.ipInput = (_h, _i, pkt) => void seen.push(pkt);
    try {
      const out0 = { ...x.ifp.counters };
      const in0 = { ...y.ifp.counters };
      const pkt = echo(x.host, '10.0.0.1', '10.0.0.2');
      etherTransmit(x.host, x.ifp, activeMac(y.ifp)!, pkt);
      etherTransmit(x.host, x.ifp, ETHER_BROADCAST, pkt);
      expect(x.ifp.counters.opackets - out0.opackets).toBe(2);
      expect(x.ifp.counters.obytes - out0.obytes).toBe(2 * (14 + 84));
      expect(x.ifp.counters.omcasts - out0.omcasts).toBe(1);
      const cap = world.bus('bus1').capture.at(-1)!;
      expect(cap).toEqual({
        atNs: world.nowNs,
        frame: { src: activeMac(x.ifp), dst: ETHER_BROADCAST, payload: pkt },
      });
      world.runFor(BUS_LATENCY_NS - 1);
      expect(seen).toEqual([]);
      world.runFor(1);
      expect(seen.length).toBe(2);
      expect(y.ifp.counters.ipackets - in0.ipackets).toBe(2);
      expect(y.ifp.counters.ibytes - in0.ibytes).toBe(2 * 98);
      expect(y.ifp.counters.imcasts - in0.imcasts).toBe(1);
    } finally {
      etherHooks.ipInput = saved;
    }
  });

  it('nothing leaves an interface that is down or has no MAC; one without a bus counts and drops', () => {
    const { world, x } = pair();
    const n = world.bus('bus1').capture.length;
    ifSetUp(x.host, x.ifp, false);
    const before = x.ifp.counters.opackets;
    etherTransmit(x.host, x.ifp, ETHER_BROADCAST, echo(x.host, '10.0.0.1', '10.0.0.2'));
    expect(x.ifp.counters.opackets).toBe(before);
    const br = unwrap(ifCreate(x.host, 'bridge0'));
    ifSetUp(x.host, br, true);
    etherTransmit(x.host, br, ETHER_BROADCAST, echo(x.host, '10.0.0.1', '10.0.0.2'));
    expect(br.counters.opackets).toBe(0);
    const tap = unwrap(ifCreate(x.host, 'tap0'));
    ifSetUp(x.host, tap, true);
    etherTransmit(x.host, tap, ETHER_BROADCAST, echo(x.host, '10.0.0.1', '10.0.0.2'));
    expect(tap.counters.opackets).toBe(1);
    expect(world.bus('bus1').capture.length).toBe(n);
  });

  it('input: dropped when down; unicast for others filtered; ARP, IPv4 and IPv6 to their hooks', () => {
    const { x } = pair();
    const calls: string[] = [];
    const saved = { ...etherHooks };
    etherHooks.arpInput = () => void calls.push('arp');
    etherHooks.ipInput = (_h, _i, _p, bcast) => void calls.push(`ip ${bcast}`);
    etherHooks.ip6Input = (_h, _i, _p, mcast) => void calls.push(`ip6 ${mcast}`);
    try {
      const own = activeMac(x.ifp)!;
      const ip = echo(x.host, '10.0.0.2', '10.0.0.1');
      const ip6 = {
        kind: 'ipv6' as const,
        src: 'fc00::2' as never,
        dst: 'fc00::1' as never,
        hlim: 64,
        body: { proto: 'tcp' as const, srcPort: 1, dstPort: 2, flags: 'syn' as const, seq: 0, dataBytes: 0 },
      };
      const arp = {
        kind: 'arp' as const,
        op: 'request' as const,
        sha: OTHER,
        spa: a('10.0.0.2'),
        tha: own,
        tpa: a('10.0.0.1'),
      };
      const mcasts = x.ifp.counters.imcasts;
      const f = (dst: Mac, payload: EtherFrame['payload']): EtherFrame => ({ src: OTHER, dst, payload });
      etherInput(x.host, x.ifp, f(own, ip));
      etherInput(x.host, x.ifp, f(ETHER_BROADCAST, ip));
      etherInput(x.host, x.ifp, f('01:00:5e:00:00:01' as Mac, ip));
      etherInput(x.host, x.ifp, f('b2:a0:00:00:00:77' as Mac, ip));
      etherInput(x.host, x.ifp, f(own, arp));
      etherInput(x.host, x.ifp, f('33:33:00:00:00:01' as Mac, ip6));
      etherInput(x.host, x.ifp, f(own, ip6));
      expect(calls).toEqual(['ip false', 'ip true', 'arp', 'ip6 true', 'ip6 false']);
      expect(x.ifp.counters.imcasts - mcasts).toBe(3);
      calls.length = 0;
      ifSetUp(x.host, x.ifp, false);
      etherInput(x.host, x.ifp, f(own, ip));
      expect(calls).toEqual([]);
      // The local half alone ignores the IFF_UP check (the bridge calls it for members).
      etherInputLocal(x.host, x.ifp, f(own, ip));
      expect(calls).toEqual(['ip false']);
    } finally {
      Object.assign(etherHooks, saved);
    }
  });

  it('looutput counts out at once and in after the loop latency', () => {
    const { world, x } = pair();
    const lo = x.host.lo0;
    const seen: boolean[] = [];
    const saved = etherHooks.ipInput;
    etherHooks.ipInput = (_h, ifp, _p, bcast) => void seen.push(ifp === lo && !bcast);
    try {
      const c0 = { ...lo.counters };
      loopOutput(x.host, echo(x.host, '10.0.0.1', '10.0.0.1'));
      expect([lo.counters.opackets - c0.opackets, lo.counters.obytes - c0.obytes]).toEqual([1, 84]);
      expect(lo.counters.ipackets).toBe(c0.ipackets);
      world.runFor(LOOP_LATENCY_NS - 1);
      expect(seen).toEqual([]);
      world.runFor(1);
      expect(seen).toEqual([true]);
      expect([lo.counters.ipackets - c0.ipackets, lo.counters.ibytes - c0.ibytes]).toEqual([1, 84]);
    } finally {
      etherHooks.ipInput = saved;
    }
  });
});

describe('shmif bus', () => {
  const frame: EtherFrame = {
    src: OTHER,
    dst: ETHER_BROADCAST,
    payload: { kind: 'arp', op: 'request', sha: OTHER, spa: a('1.1.1.1'), tha: OTHER, tpa: a('1.1.1.2') },
  };

  it('captures every frame and hands it to every port but the sender; detach removes a port', () => {
    const bus = new ShmifBus('b');
    const port = (portId: number) => ({ portId, deliver: () => undefined });
    const [p1, p2, p3] = [port(1), port(2), port(3)];
    bus.attach(p1);
    bus.attach(p2);
    bus.attach(p3);
    expect(() => bus.attach(port(2))).toThrow(/attached twice/);
    expect(bus.write(2, frame, 5 as never)).toEqual([p1, p3]);
    bus.detach(3);
    bus.detach(9);
    expect(bus.write(1, frame, 5 as never)).toEqual([p2]);
    expect(bus.capture).toEqual([
      { atNs: 5, frame },
      { atNs: 5, frame },
    ]);
    expect(bus.name).toBe('b');
    expect(() => bus.write(1, frame, 4 as never)).toThrow(/out of time order/);
  });
});

describe('the virtual world', () => {
  it('the seeded stream: xorshift32, zero seed replaced, below() in range and 0 for no range', () => {
    const r = new SeededRandom(1);
    expect([r.next32(), r.next32(), r.next32()]).toEqual([270369, 67634689, 2647435461]);
    const z = new SeededRandom(0);
    const g = new SeededRandom(0x9e3779b9);
    expect(z.next32()).toBe(g.next32());
    const neg = new SeededRandom(-1);
    expect(neg.next32()).toBe(new SeededRandom(0xffffffff).next32());
    expect(r.below(0)).toBe(0);
    expect(r.below(-3)).toBe(0);
    const b = new SeededRandom(7);
    for (let i = 0; i < 50; i++) {
      const v = b.below(10);
      expect(v >= 0 && v < 10 && Number.isInteger(v)).toBe(true);
    }
    expect(new SeededRandom(5).below(1000)).toBe(new SeededRandom(5).next32() % 1000);
  });

  it('timers fire in time order, same-instant ones in arming order; cancel works', () => {
    const w = new NetWorld(3);
    const got: string[] = [];
    w.after(20, () => got.push('b'));
    w.after(10, () => got.push('a'));
    w.after(20, () => got.push('c'));
    const h = w.after(15, () => got.push('x'));
    w.after(-5, () => got.push('now'));
    w.cancel(h);
    w.runFor(19);
    expect(got).toEqual(['now', 'a']);
    expect(w.nowNs).toBe(19);
    w.runFor(1);
    expect(got).toEqual(['now', 'a', 'b', 'c']);
    w.after(0.4, () => got.push('rounded'));
    w.runFor(0);
    expect(got.at(-1)).toBe('rounded');
  });

  it('runUntil stops at the callout that makes it true, else after the span', () => {
    const w = new NetWorld();
    let n = 0;
    for (let i = 1; i <= 5; i++) w.after(i * 10, () => n++);
    expect(w.runUntil(() => n >= 2, 1000)).toBe(true);
    expect(w.nowNs).toBe(20);
    expect(w.runUntil(() => n >= 2, 1000)).toBe(true);
    expect(w.nowNs).toBe(20);
    expect(w.runUntil(() => n >= 99, 100)).toBe(false);
    expect(w.nowNs).toBe(120);
    expect(n).toBe(5);
  });

  it('a runaway callout loop is reported, not spun', () => {
    const w = new NetWorld();
    const again = (): void => void w.after(0, again);
    again();
    expect(() => w.runFor(1)).toThrow(/over 1000000 callouts/);
  });

  it('buses are made once per name; MAC serials count up', () => {
    const w = new NetWorld();
    expect(w.bus('x')).toBe(w.bus('x'));
    expect(w.bus('x')).not.toBe(w.bus('y'));
    expect(w.bus('y').name).toBe('y');
    const s = w.nextMacSerial();
    expect(w.nextMacSerial()).toBe(s + 1);
    expect(new NetWorld().nextMacSerial()).toBe(1);
  });
});
