import { describe, expect, it } from 'vitest';
import { cpuId, type FlowId, packetId, threadId, virtualNs } from '../brand.ts';
import type { Netisr } from '../netisr/netisr.ts';
import type { DispatchOptions } from '../netisr/setup.ts';
import type { Packet } from '../packet.ts';
import { VirtualClock } from '../sim/clock.ts';
import { type KernelCall, nestedCalls } from '../sim/kthread.ts';
import { StatCounters } from '../stats.ts';
import { TraceRecorder } from '../trace.ts';
import { Buffers } from './buffers.ts';
import type { InboundLayer } from './chain.ts';
import { IpsecInput } from './input.ts';
import { MbufTable } from './mbuf.ts';

const THREAD = { id: threadId(1), cpu: cpuId(0) };

/** IpsecInput against a netisr that only records what it is asked to dispatch. */
function setup(inbound: readonly InboundLayer[]) {
  const stats = new StatCounters();
  const mbufs = new MbufTable(new Buffers(new TraceRecorder(100), new VirtualClock()));
  const dispatched: { proto: string; options: DispatchOptions }[] = [];
  const netisr = {
    dispatch: (proto: string, _pkt: Packet, _t: unknown, options: DispatchOptions): KernelCall => {
      dispatched.push({ proto, options });
      return { frame: 'netisr_dispatch_src', frameBytes: 0, run: () => undefined };
    },
  } as unknown as Netisr;
  const input = new IpsecInput({ inbound, stats, mbufs, netisr, frameBytes: () => 0 });
  return { input, stats, mbufs, dispatched };
}

function packet(family: 'inet' | 'inet6', ipProto: number): Packet {
  const pkt: Packet = {
    id: packetId(1),
    flow: {
      id: 0 as FlowId,
      family,
      ipProto,
      srcText: '192.0.2.1',
      dstText: '198.51.100.1',
      src: [192, 0, 2, 1],
      dst: [198, 51, 100, 1],
      sport: 0,
      dport: 0,
      hash2Tuple: 5,
      hash4Tuple: 6,
    },
    seq: 0,
    arrivedAtNs: virtualNs(0),
    rxRing: 0,
    allocCpu: cpuId(0),
    rcvifIndex: 1,
    fragment: undefined,
    payloadBytes: 100,
    encap: [],
    hash: 0x1234,
    hashType: 'opaque-hash',
    netisrSource: 0,
  };
  return pkt;
}

/** Runs the calls depth first; answers every root-to-leaf chain of frames. */
function leaves(calls: readonly KernelCall[]): string[] {
  const out: string[] = [];
  const todo = calls.map((call) => ({ call, path: call.frame })).reverse();
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const inner = nestedCalls(next.call);
    if (inner.length === 0) out.push(next.path);
    const path = next.path;
    todo.push(...inner.map((call) => ({ call, path: `${path}>${call.frame}` })).reverse());
  }
  return out;
}

const esp = { kind: 'sa', proto: 'esp', spi: 0x1234 } as const;
const gre2 = { kind: 'tunnel', type: 'gre', unit: 2 } as const;

describe('IpsecInput.wants: ip_input hands IPv4 ESP, AH, IPComp, IP-in-IP and GRE to a decapsulating pr_input', () => {
  it('the tunnelled IPv4 protocols 4, 47, 50, 51 and 108 with a layer left; nothing else', () => {
    const { input, mbufs } = setup([esp]);
    mbufs.receive(packetId(1), THREAD.cpu);
    expect([4, 47, 50, 51, 108, 17, 6, 41].map((p) => input.wants(packet('inet', p)))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(input.wants(packet('inet6', 50))).toBe(false);
  });

  it('not once every configured layer is off, nor with no inbound layers at all', () => {
    const { input, mbufs } = setup([esp]);
    const pkt = packet('inet', 50);
    mbufs.receive(pkt.id, THREAD.cpu);
    leaves(input.input(pkt, THREAD));
    expect(input.wants(pkt)).toBe(false);
    const none = setup([]);
    none.mbufs.receive(pkt.id, THREAD.cpu);
    expect(none.input.wants(packet('inet', 50))).toBe(false);
  });
});

describe('IpsecInput.input: one layer per pass', () => {
  it('an SA: ipsec4_input down to ipsec4_common_input_cb, the hash dropped (SC-15), queued to ip with source = SPI (S-2, S-3)', () => {
    const { input, stats, mbufs, dispatched } = setup([esp, gre2]);
    const pkt = packet('inet', 50);
    mbufs.receive(pkt.id, THREAD.cpu);
    expect(leaves(input.input(pkt, THREAD))).toEqual([
      'ipsec4_input>ipsec_common_input>esp_input>crypto_dispatch>crypto_invoke>swcr_process>crypto_done>esp_input_cb>ipsec4_common_input_cb>netisr_dispatch_src',
    ]);
    expect(stats.snapshot()).toEqual({ ips_total: 1, esps_input: 1 });
    expect(pkt).toMatchObject({ encap: [{ kind: 'esp', id: 0x1234 }], hash: 0, hashType: 'none' });
    expect(dispatched).toMatchObject([{ proto: 'ip', options: { source: 0x1234, deferredOnly: true } }]);
    // S-4: the queue was full: the xform's qfull grows and the packet is freed.
    dispatched[0]?.options.onDropped?.();
    expect(stats.get('esps_qfull')).toBe(1);
    expect(mbufs.liveCount).toBe(0);
  });

  it('ah and ipcomp run their own input routine and callback and count their own statistics', () => {
    for (const proto of ['ah', 'ipcomp'] as const) {
      const { input, stats, mbufs, dispatched } = setup([{ kind: 'sa', proto, spi: 0x100 }]);
      const pkt = packet('inet', 51);
      mbufs.receive(pkt.id, THREAD.cpu);
      expect(leaves(input.input(pkt, THREAD))[0]).toContain(
        `ipsec_common_input>${proto}_input>crypto_dispatch>crypto_invoke>swcr_process>crypto_done>${proto}_input_cb>`,
      );
      dispatched[0]?.options.onDropped?.();
      expect(stats.snapshot()).toEqual({ ips_total: 1, [`${proto}s_input`]: 1, [`${proto}s_qfull`]: 1 });
    }
  });

  it('a gre tunnel (second layer): encap4_input -> in_gre_input -> gre_input -> netisr_dispatch, NIC hash kept (S-5, S-6)', () => {
    const { input, stats, mbufs, dispatched } = setup([esp, gre2]);
    const pkt = packet('inet', 50);
    mbufs.receive(pkt.id, THREAD.cpu);
    leaves(input.input(pkt, THREAD));
    pkt.hash = 0x77;
    pkt.hashType = 'opaque-hash';
    dispatched.length = 0;
    expect(input.wants(pkt)).toBe(true);
    expect(leaves(input.input(pkt, THREAD))).toEqual([
      'encap4_input>in_gre_input>gre_input>netisr_dispatch_src',
    ]);
    expect(pkt).toMatchObject({
      encap: [
        { kind: 'esp', id: 0x1234 },
        { kind: 'gre', id: 2 },
      ],
      hash: 0x77,
      hashType: 'opaque-hash',
    });
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]?.options).not.toHaveProperty('source');
    expect(dispatched[0]?.options).not.toHaveProperty('deferredOnly');
    dispatched[0]?.options.onDropped?.();
    expect(mbufs.liveCount).toBe(0);
    expect(stats.snapshot()).toEqual({ ips_total: 1, esps_input: 1 });
  });

  it('a gif tunnel: encap4_input -> in_gif_input -> gif_input', () => {
    const { input, mbufs } = setup([{ kind: 'tunnel', type: 'gif', unit: 5 }]);
    const pkt = packet('inet', 4);
    mbufs.receive(pkt.id, THREAD.cpu);
    expect(leaves(input.input(pkt, THREAD))).toEqual([
      'encap4_input>in_gif_input>gif_input>netisr_dispatch_src',
    ]);
    expect(pkt.encap).toEqual([{ kind: 'gif', id: 5 }]);
  });
});
