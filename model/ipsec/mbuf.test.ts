import { describe, expect, it } from 'vitest';
import { cpuId, packetId } from '../brand.ts';
import { VirtualClock } from '../sim/clock.ts';
import { TraceRecorder } from '../trace.ts';
import { Buffers } from './buffers.ts';
import { MbufTable } from './mbuf.ts';

const P = packetId(7);
const cpu0 = cpuId(0);
const cpu1 = cpuId(1);

function table() {
  const trace = new TraceRecorder(1000);
  const clock = new VirtualClock();
  const mbufs = new MbufTable(new Buffers(trace, clock));
  const events = () =>
    trace
      .finish({
        kind: 'end',
        atNs: clock.nowNs,
        outcome: 'quiescent',
        steps: 0,
        busyCpus: [],
        pendingPackets: 0,
      })
      .filter((e) => e.kind === 'alloc' || e.kind === 'free');
  return { mbufs, clock, events };
}

describe('Buffers: alloc and free trace events', () => {
  it('numbers buffers from 0; a free names the CPU that allocated it (INV-FREE checks cross-CPU frees)', () => {
    const { mbufs, clock, events } = table();
    mbufs.receive(P, cpu0);
    mbufs.attachTag(P, 'ipsec-deferral', cpu0);
    clock.advanceTo(500 as never);
    mbufs.freem(P, cpu1);
    expect(events()).toEqual([
      { kind: 'alloc', atNs: 0, buf: 0, what: 'mbuf', cpu: 0, pkt: P },
      { kind: 'alloc', atNs: 0, buf: 1, what: 'tag', cpu: 0, pkt: P },
      { kind: 'free', atNs: 500, buf: 1, what: 'tag', cpu: 1, allocCpu: 0, pkt: P },
      { kind: 'free', atNs: 500, buf: 0, what: 'mbuf', cpu: 1, allocCpu: 0, pkt: P },
    ]);
  });

  it('a second free of the same buffer (a double free, for the checker to see) names its own CPU as allocCpu', () => {
    const trace = new TraceRecorder(10);
    const buffers = new Buffers(trace, new VirtualClock());
    const buf = buffers.alloc('tag', cpu0, undefined);
    buffers.free(buf, 'tag', cpu1, undefined);
    buffers.free(buf, 'tag', cpu1, undefined);
    const frees = trace.finish({
      kind: 'end',
      atNs: 0 as never,
      outcome: 'quiescent',
      steps: 0,
      busyCpus: [],
      pendingPackets: 0,
    });
    expect(frees.filter((e) => e.kind === 'free').map((e) => e.kind === 'free' && e.allocCpu)).toEqual([
      0, 1,
    ]);
  });
});

describe('MbufTable: m_tags on a forwarded mbuf', () => {
  it('m_tag_delete takes the newest tag of the kind asked for and answers whether there was one', () => {
    const { mbufs, events } = table();
    mbufs.receive(P, cpu0);
    mbufs.attachTag(P, 'ipsec-deferral', cpu0); // buf 1
    mbufs.attachTag(P, 'ipsec-out-done', cpu0); // buf 2
    mbufs.attachTag(P, 'ipsec-deferral', cpu0); // buf 3
    mbufs.attachTag(P, 'ipsec-out-done', cpu0); // buf 4
    expect(mbufs.deleteTag(P, 'ipsec-deferral', cpu1)).toBe(true);
    expect(mbufs.deleteTag(P, 'ipsec-deferral', cpu1)).toBe(true);
    expect(mbufs.deleteTag(P, 'ipsec-deferral', cpu1)).toBe(false);
    expect(mbufs.deleteTag(P, 'tunnel-nesting', cpu1)).toBe(false);
    mbufs.freem(P, cpu0);
    expect(events().map((e) => `${e.kind} ${e.buf}`)).toEqual([
      'alloc 0',
      'alloc 1',
      'alloc 2',
      'alloc 3',
      'alloc 4',
      'free 3',
      'free 1',
      'free 2',
      'free 4',
      'free 0',
    ]);
  });

  it('m_freem frees every tag still on the packet, then the packet; a kept (lost) tag is never freed', () => {
    const { mbufs, events } = table();
    mbufs.receive(P, cpu0);
    mbufs.attachTag(P, 'ipsec-out-done', cpu0);
    mbufs.attachTag(P, 'ipsec-deferral', cpu0);
    expect(mbufs.liveCount).toBe(1);
    mbufs.freem(P, cpu0, 'ipsec-deferral');
    expect(mbufs.liveCount).toBe(0);
    expect(events().map((e) => `${e.kind} ${e.what} ${e.buf}`)).toEqual([
      'alloc mbuf 0',
      'alloc tag 1',
      'alloc tag 2',
      'free tag 1',
      'free mbuf 0',
    ]);
  });

  it('a tunnel pass is remembered in order; the nesting tag is added only when the check says so', () => {
    const { mbufs, events } = table();
    mbufs.receive(P, cpu0);
    mbufs.passTunnel(P, { type: 'gif', unit: 0 }, cpu0, true);
    mbufs.passTunnel(P, { type: 'gre', unit: 2 }, cpu0, false);
    expect(mbufs.tunnels(P)).toEqual([
      { type: 'gif', unit: 0 },
      { type: 'gre', unit: 2 },
    ]);
    expect(events().map((e) => `${e.kind} ${e.what}`)).toEqual(['alloc mbuf', 'alloc tag']);
  });

  it('a fresh mbuf resumes nowhere and has no layer stripped; both are kept per packet', () => {
    const { mbufs } = table();
    const Q = packetId(8);
    mbufs.receive(P, cpu0);
    mbufs.receive(Q, cpu0);
    expect(mbufs.resumeIndex(P)).toBeUndefined();
    expect(mbufs.decapsulated(P)).toBe(0);
    expect(mbufs.tunnels(P)).toEqual([]);
    mbufs.setResume(P, 3);
    mbufs.decapsulate(P);
    mbufs.decapsulate(P);
    expect([mbufs.resumeIndex(P), mbufs.decapsulated(P)]).toEqual([3, 2]);
    expect([mbufs.resumeIndex(Q), mbufs.decapsulated(Q)]).toEqual([undefined, 0]);
    expect(mbufs.liveCount).toBe(2);
  });
});
