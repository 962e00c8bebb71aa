import { describe, expect, it } from 'vitest';
import { frameBytesLookup } from '../host/frames.ts';
import { packets, udpFlow } from '../host/scenario.ts';
import type { WorkloadItem } from '../host/workload.ts';
import { unwrap } from '../result.ts';
import type { ArriveEvent, StackEvent } from '../trace.ts';
import { type Chain, espBundle } from './chain.ts';
import type { IpsecGatewayConfig } from './config.ts';
import { type GatewayRunResult, runIpsecGateway } from './gateway.ts';

const ESP_IN = {
  family: 'inet' as const,
  ipProto: 50,
  src: '192.0.2.1',
  dst: '198.51.100.1',
  sport: 0,
  dport: 0,
};

function run(config: IpsecGatewayConfig, items: readonly WorkloadItem[] = packets([0])): GatewayRunResult {
  return unwrap(runIpsecGateway({ config, workload: { flows: [udpFlow(0), ESP_IN], items }, schedule: [] }));
}

const stacks = (r: GatewayRunResult) => r.trace.filter((e): e is StackEvent => e.kind === 'stack');

describe('the gateway kernel stack: every frame costs what its table says', () => {
  it('each recorded depth is the sum of the sizes of the frames on the stack (pfil, SAs, tunnels, netgraph, inbound)', () => {
    const chain: Chain = [
      { kind: 'pfil', hook: 'ipfw' },
      ...espBundle(2),
      { kind: 'tunnel', type: 'gre', unit: 0 },
      { kind: 'netgraph', node: 'tee' },
      { kind: 'sa', proto: 'ah', spi: 0x2000 },
      { kind: 'netgraph', node: 'ppp' },
    ];
    const inbound = [{ kind: 'tunnel', type: 'gif', unit: 0 } as const, ...espBundle(1, 0x3000)];
    for (const pages of [2, 4]) {
      const r = run(
        { host: { cpuCount: 2, sysctl: { 'kern.kstack_pages': pages } }, chain, inbound },
        packets([0, 1]),
      );
      const bytes = frameBytesLookup(r.config.host.frameBytes);
      expect(stacks(r).length).toBeGreaterThan(20);
      for (const s of stacks(r)) {
        const sum = s.frames.split('>').reduce((n, f) => n + bytes(f), 0);
        expect({ frames: s.frames, depth: s.depthBytes }).toEqual({ frames: s.frames, depth: sum });
      }
    }
  });
});

describe('the gateway NIC and the end of a run', () => {
  const arrive = (r: GatewayRunResult) => r.trace.find((e): e is ArriveEvent => e.kind === 'arrive');

  it('an RSS kernel receives with the Toeplitz hash type and bucket (R-6); a non-RSS one with an opaque hash', () => {
    const rss = arrive(run({ host: { cpuCount: 2, kernel: 'freebsd-rss' }, chain: [] }));
    expect(rss?.hashType).not.toBe('opaque-hash');
    expect(rss?.bucket).toBeDefined();
    const plain = arrive(run({ host: { cpuCount: 2 }, chain: [] }));
    expect(plain).toMatchObject({ hashType: 'opaque-hash', bucket: undefined });
  });

  it('a run that drains ends quiescent with no packet pending and no CPU busy', () => {
    const r = run(
      { host: { cpuCount: 1, sysctl: { 'kern.kstack_pages': 2 } }, chain: espBundle(3) },
      packets([0, 0]),
    );
    expect(r.trace.at(-1)).toMatchObject({
      kind: 'end',
      outcome: 'quiescent',
      pendingPackets: 0,
      busyCpus: [],
    });
  });

  it('a run cut short by stepsMax counts the workload items not yet received as pending', () => {
    const r = run({ host: { cpuCount: 1, limits: { stepsMax: 3 } }, chain: [] }, packets(Array(10).fill(0)));
    const arrived = r.trace.filter((e) => e.kind === 'arrive').length;
    expect(r.trace.at(-1)).toMatchObject({
      kind: 'end',
      outcome: 'steps-exhausted',
      pendingPackets: 10 - arrived,
    });
  });

  it('a packet parked on the netgraph queue when the run stops is pending (held outside any netisr queue)', () => {
    const chain: Chain = [...espBundle(3), { kind: 'netgraph', node: 'ppp' }];
    const config: IpsecGatewayConfig = {
      host: { cpuCount: 1, sysctl: { 'kern.kstack_pages': 2 }, limits: { stepsMax: 2 } },
      ipsec: { 'net.inet.ipsec.use_netisr': false },
      chain,
    };
    const r = run(config);
    expect(r.trace.some((e) => e.kind === 'deliver')).toBe(false);
    expect(stacks(r).at(-1)?.frames).toMatch(/ng_snd_item$/);
    expect(r.trace.at(-1)).toMatchObject({ kind: 'end', outcome: 'steps-exhausted', pendingPackets: 1 });
  });

  it('a bad workload answers its sentence', () => {
    const bad = runIpsecGateway({
      config: { host: { cpuCount: 1 }, chain: [] },
      workload: { flows: [{ ...udpFlow(0), src: 'nope' }], items: [] },
      schedule: [],
    });
    expect(bad).toEqual({ ok: false, error: "flow 0: bad inet source address 'nope'" });
  });

  it('a snapshot item records netstat -Q at that point, not quiescent; the end adds only the final counters', () => {
    const items: WorkloadItem[] = [...packets([0]), { kind: 'snapshot' }, ...packets([0])];
    const r = run({ host: { cpuCount: 1 }, chain: [] }, items);
    expect(r.snapshots).toHaveLength(1);
    expect(r.snapshots[0]).toMatch(/^Configuration:/);
    const counters = r.trace.filter((e) => e.kind === 'counters');
    expect(counters.map((e) => e.kind === 'counters' && e.quiescent)).toEqual([false, true]);
    expect(run({ host: { cpuCount: 1 }, chain: [] }).snapshots).toEqual([]);
  });
});

describe('gre nesting (if_gre.c gre_transmit -> if_tunnel_check_nesting, net.link.gre.max_nesting)', () => {
  const chain: Chain = [
    { kind: 'tunnel', type: 'gre', unit: 0 },
    { kind: 'tunnel', type: 'gre', unit: 1 },
  ];

  it('a second gre is refused with EIO at the default of 1 and counted in its oerrors; 2 lets it through', () => {
    const refused = run({ host: { cpuCount: 1 }, chain });
    expect(refused.stats['gre1.oerrors']).toBe(1);
    const drop = refused.trace.find((e) => e.kind === 'drop');
    expect(drop).toMatchObject({
      where: 'tunnel',
      counter: 'gre1.oerrors',
      reason: 'too-deep (nesting 2 > 1, EIO)',
    });
    const allowed = run({ host: { cpuCount: 1 }, chain, ipsec: { 'net.link.gre.max_nesting': 2 } });
    expect(allowed.stats['gre1.oerrors']).toBeUndefined();
    expect(allowed.stats.ifi_opackets).toBe(1);
  });

  it("gif's limit does not apply to gre: one gif and one gre pass at both defaults of 1", () => {
    const mixed = run({
      host: { cpuCount: 1 },
      chain: [
        { kind: 'tunnel', type: 'gif', unit: 0 },
        { kind: 'tunnel', type: 'gre', unit: 0 },
      ],
    });
    expect(mixed.stats.ifi_opackets).toBe(1);
  });
});
