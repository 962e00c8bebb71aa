import { describe, expect, it } from 'vitest';
import { checkFragmentFlowOrder } from './reassembly-flow-order.ts';
import { arrive, frag, handle } from './test/trace-builder.ts';

const r11 = (events: number[], message: string) => ({
  property: 'fragment-flow-order',
  rule: 'R-11',
  events,
  message,
});
const udpFlow = (ipProto = 17) => [
  arrive({ pkt: 1, flow: 4, seq: 1, fragment: true, frag: frag({ ipProto }) }),
  arrive({ pkt: 2, flow: 4, seq: 2 }),
];

describe('fragment-flow-order rules (R-11)', () => {
  it('an empty trace passes', () => {
    expect(checkFragmentFlowOrder([])).toEqual([]);
  });

  it('R-11: a non-TCP flow with fragments reaching ip_input out of order', () => {
    const t = [
      ...udpFlow(),
      handle({ pkt: 2, flow: 4, seq: 2, cpu: 1 }),
      handle({ pkt: 1, flow: 4, seq: 1, cpu: 1 }),
    ];
    expect(checkFragmentFlowOrder(t)).toEqual([
      r11([2, 3], 'flow 4 (ip proto 17) reached ip_input on cpu 1 with seq 1 after seq 2'),
    ]);
  });

  it('R-11 holds for ip6 too', () => {
    const t = [
      ...udpFlow(),
      handle({ pkt: 2, flow: 4, seq: 2, proto: 'ip6' }),
      handle({ pkt: 1, flow: 4, seq: 1, proto: 'ip6' }),
    ];
    expect(checkFragmentFlowOrder(t)[0]?.message).toBe(
      'flow 4 (ip proto 17) reached ip6_input on cpu 0 with seq 1 after seq 2',
    );
  });

  it('near miss: in order; TCP; another protocol layer; a flow without fragments', () => {
    const inOrder = [...udpFlow(), handle({ pkt: 1, flow: 4, seq: 1 }), handle({ pkt: 2, flow: 4, seq: 2 })];
    expect(checkFragmentFlowOrder(inOrder)).toEqual([]);
    const reversed = (ipProto: number, proto: 'ip' | 'ip_direct' = 'ip') => [
      ...udpFlow(ipProto),
      handle({ pkt: 2, flow: 4, seq: 2, proto }),
      handle({ pkt: 1, flow: 4, seq: 1, proto }),
    ];
    expect(checkFragmentFlowOrder(reversed(6))).toEqual([]);
    expect(checkFragmentFlowOrder(reversed(17, 'ip_direct'))).toEqual([]);
    const plain = [arrive({ pkt: 1, flow: 4, seq: 1 }), arrive({ pkt: 2, flow: 4, seq: 2 })];
    expect(
      checkFragmentFlowOrder([
        ...plain,
        handle({ pkt: 2, flow: 4, seq: 2 }),
        handle({ pkt: 1, flow: 4, seq: 1 }),
      ]),
    ).toEqual([]);
  });

  it('a packet is judged once, at its first ip_input; equal seqs pass', () => {
    const t = [...udpFlow(), handle({ pkt: 2, flow: 4, seq: 2 }), handle({ pkt: 2, flow: 4, seq: 2 })];
    expect(checkFragmentFlowOrder(t)).toEqual([]);
    const again = [
      ...udpFlow(),
      handle({ pkt: 1, flow: 4, seq: 1 }),
      handle({ pkt: 2, flow: 4, seq: 2 }),
      handle({ pkt: 1, flow: 4, seq: 1 }),
    ];
    expect(checkFragmentFlowOrder(again)).toEqual([]);
    const unarrived = [
      ...udpFlow(),
      handle({ pkt: 2, flow: 4, seq: 2 }),
      handle({ pkt: 7, flow: 4, seq: 1 }),
    ];
    expect(checkFragmentFlowOrder(unarrived)).toEqual([]);
  });

  it('two packets with the same seq pass; the high mark keeps the first of them', () => {
    const t = [
      ...udpFlow(),
      arrive({ pkt: 3, flow: 4, seq: 2 }),
      arrive({ pkt: 5, flow: 4, seq: 0 }),
      handle({ pkt: 2, flow: 4, seq: 2 }),
      handle({ pkt: 3, flow: 4, seq: 2 }),
      handle({ pkt: 5, flow: 4, seq: 0 }),
    ];
    expect(checkFragmentFlowOrder(t)).toEqual([
      r11([4, 6], 'flow 4 (ip proto 17) reached ip_input on cpu 0 with seq 0 after seq 2'),
    ]);
  });

  it('the high mark only rises: a later low seq is compared with the highest seen', () => {
    const t = [
      ...udpFlow(),
      arrive({ pkt: 3, flow: 4, seq: 3 }),
      handle({ pkt: 3, flow: 4, seq: 3 }),
      handle({ pkt: 1, flow: 4, seq: 1 }),
      handle({ pkt: 2, flow: 4, seq: 2 }),
    ];
    expect(checkFragmentFlowOrder(t).map((v) => v.events)).toEqual([
      [3, 4],
      [3, 5],
    ]);
  });

  it('stops at VIOLATIONS_MAX', () => {
    const n = 70;
    const arrivals = Array.from({ length: n + 1 }, (_, k) =>
      arrive({ pkt: k, flow: 4, seq: k, fragment: k === 0, ...(k === 0 ? { frag: frag() } : {}) }),
    );
    const handles = [
      handle({ pkt: n, flow: 4, seq: n }),
      ...Array.from({ length: n }, (_, k) => handle({ pkt: k, flow: 4, seq: k })),
    ];
    expect(checkFragmentFlowOrder([...arrivals, ...handles])).toHaveLength(64);
  });
});
