import { describe, expect, it } from 'vitest';
import { freebsdNetisrPolicy } from '../netisr/policies.ts';
import { FREEBSD_PROTOCOLS } from '../netisr/protocols.ts';
import { errorOf, unwrap } from '../result.ts';
import type { ArriveEvent } from '../trace.ts';
import { type RunInput, runHost } from './run.ts';
import { tcpFlowOnRing } from './scenario.ts';
import type { WorkloadItem } from './workload.ts';

const policy = freebsdNetisrPolicy({ protocols: FREEBSD_PROTOCOLS, dispatch: 'hybrid', placement: 'flow' });

function arrivals(items: readonly WorkloadItem[], rxRingCount = 2): ArriveEvent[] {
  const input: RunInput = {
    config: { cpuCount: 2, rxRingCount, sysctl: { 'net.isr.maxthreads': -1 } },
    workload: { flows: [tcpFlowOnRing(0, 2)], items },
    schedule: [],
    policy,
  };
  const r = unwrap(runHost(input));
  expect(r.trace.filter((e) => e.kind === 'deliver')).toHaveLength(
    items.filter((i) => i.kind === 'packet').length,
  );
  return r.trace.filter((e): e is ArriveEvent => e.kind === 'arrive');
}

const pkt: WorkloadItem = { kind: 'packet', flow: 0 };

describe('moves: one flow enters the stack on another CPU mid-run', () => {
  it('ethtool -X rotates the redirection table: the flow moves to the next ring', () => {
    const a = arrivals([pkt, { kind: 'retable', rotateRings: 1 }, pkt]);
    expect(a.map((e) => [e.ring, e.cpu])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('lagg failover: the standby port rings interrupt the next CPU', () => {
    const a = arrivals([pkt, { kind: 'failover' }, pkt, { kind: 'failover' }, pkt], 1);
    expect(a.map((e) => [e.ring, e.cpu])).toEqual([
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
  });

  it('a migrating tun0 writer dispatches on its new CPU, from no NIC ring', () => {
    const w: WorkloadItem = { kind: 'packet', flow: 0, via: 'tun0' };
    const a = arrivals([w, { kind: 'migrate', cpu: 1 }, w]);
    expect(a.map((e) => [e.ring, e.cpu, e.via])).toEqual([
      [-1, 0, 'tun0'],
      [-1, 1, 'tun0'],
    ]);
  });

  it('refuses a negative move argument', () => {
    const r = runHost({
      config: { cpuCount: 2 },
      workload: { flows: [tcpFlowOnRing(0, 1)], items: [{ kind: 'migrate', cpu: -1 }] },
      schedule: [],
      policy,
    });
    expect(errorOf(r)).toMatch(/want a non-negative integer/);
  });
});
