import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import { runHost } from '../host/run.ts';
import { packets, tcpFlow } from '../host/scenario.ts';
import type { DispatchPolicy } from '../policy.ts';

/** What a policy is told at each question, recorded by a policy that queues everything on CPU 1. */
interface Asked {
  readonly proto: string;
  readonly pkt: number;
  readonly len: number;
  readonly limit: number;
  readonly busy: boolean;
  readonly offset: number;
}

function askedOf(config: Parameters<typeof runHost>[0]['config'], probe = 1): Asked[] {
  const asked: Asked[] = [];
  const spy: DispatchPolicy = {
    name: 'spy',
    place(pkt, ctx) {
      const target = cpuId(1);
      const at = cpuId(probe);
      asked.push({
        proto: pkt.protocol,
        pkt: pkt.id,
        len: ctx.queueLengthPackets(at),
        limit: ctx.queueLimitPackets(at),
        busy: ctx.busy(at),
        offset: pkt.fragmentOffsetBytes,
      });
      return { cpu: target, mode: 'queue' };
    },
  };
  const r = runHost({
    config,
    workload: { flows: [tcpFlow(1)], items: packets([0, 0, 0]) },
    schedule: [],
    policy: spy,
  });
  if (!r.ok) throw new Error(r.error);
  return asked;
}

describe('the DispatchContext netisr hands a policy (netisr_dispatch_src)', () => {
  const config = { cpuCount: 2, sysctl: { 'net.isr.maxthreads': -1 }, qlimits: { ip: 5 } };

  it('never asks about a protocol registered DIRECT (ether, N-12): only ip is placed', () => {
    expect(new Set(askedOf(config).map((a) => a.proto))).toEqual(new Set(['ip']));
  });

  it('reports the queue length and qlimit of the protocol being placed, and the workstream state', () => {
    // All three packets reach netisr before CPU 1's thread runs (schedule [] picks the NIC and
    // the interrupt thread first), so the queue grows 0, 1, 2 and the workstream is SCHEDULED
    // from the first enqueue on (N-13c).
    expect(askedOf(config).map(({ len, limit, busy }) => [len, limit, busy])).toEqual([
      [0, 5, false],
      [1, 5, true],
      [2, 5, true],
    ]);
  });

  it('answers 0 and idle for a CPU the machine does not have', () => {
    const asked = askedOf(config, 7);
    expect(asked.map(({ len, limit, busy }) => [len, limit, busy])).toEqual([
      [0, 0, false],
      [0, 0, false],
      [0, 0, false],
    ]);
  });

  it('every CPU has its workstream queues, with or without a netisr thread (DPCPU nws)', () => {
    const asked = askedOf({ cpuCount: 2, sysctl: { 'net.isr.maxthreads': 1 } }, 1);
    expect(asked[0]).toMatchObject({ len: 0, limit: 256, busy: false });
  });
});
