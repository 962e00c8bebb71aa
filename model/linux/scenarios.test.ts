import { describe, expect, it } from 'vitest';
import { burst, runScenario, UDP_PORT, udpOnRing, udpTo, udpToGroup } from './scenarios.ts';

describe('Linux scenario builders', () => {
  it('burst cycles over the flow indexes, flow 0 by default, 64-byte payloads', () => {
    expect(burst(3, [2, 5])).toEqual([
      { kind: 'packet', flow: 2, payloadBytes: 64 },
      { kind: 'packet', flow: 5, payloadBytes: 64 },
      { kind: 'packet', flow: 2, payloadBytes: 64 },
    ]);
    expect(burst(2)).toEqual([
      { kind: 'packet', flow: 0, payloadBytes: 64 },
      { kind: 'packet', flow: 0, payloadBytes: 64 },
    ]);
  });

  it('udpOnRing finds a flow for a ring that exists and names the ring it cannot place', () => {
    // The first flow whose redirection entry (4-tuple Toeplitz hash & 127) is odd is flow 16.
    expect(udpOnRing(0, 2)).toEqual(udpTo(0));
    expect(udpOnRing(1, 2)).toEqual(udpTo(16));
    expect(() => udpOnRing(2, 2)).toThrow('no flow found for ring 2');
  });

  it('udpToGroup sends flow i to the group and port', () => {
    expect(udpToGroup(3, '239.1.1.1', 6000)).toEqual({ ...udpTo(3, 6000), dst: '239.1.1.1' });
  });

  const box = {
    config: { cpuCount: 1, sockets: [{ port: UDP_PORT }] },
    workload: { flows: [udpTo(0)], items: burst(2) },
  };

  it('runScenario adds the variants asked for to the configured ones, and no others', () => {
    expect([...runScenario(box).config.variants]).toEqual([]);
    const both = runScenario(
      { ...box, config: { ...box.config, variants: ['linux-udp-inerrors-uncounted'] } },
      ['linux-napi-repoll-head'],
    );
    expect([...both.config.variants]).toEqual(['linux-udp-inerrors-uncounted', 'linux-napi-repoll-head']);
  });

  it('runScenario passes the policy on: the result names it', () => {
    const r = runScenario({
      ...box,
      policy: () => ({ name: 'cpu0', place: () => ({ cpu: 0 as never, mode: 'queue' }) }),
    });
    expect(r.policyName).toBe('cpu0');
    expect(runScenario(box).policyName).toBe('linux-no-steering');
  });
});
