import { describe, expect, it } from 'vitest';
import type { WorkloadItem } from '../host/workload.ts';
import type { DispatchPolicy } from '../policy.ts';
import { unwrap } from '../result.ts';
import type { EnqueueEvent, NetisrWorkRow, StackEvent } from '../trace.ts';
import { espBundle } from './chain.ts';
import type { IpsecGatewayConfig } from './config.ts';
import { type GatewayRunResult, runIpsecGateway } from './gateway.ts';

/** An ESP tunnel from a peer gateway: IPv4, protocol 50, the outer addresses only. */
const ESP_FLOW = {
  family: 'inet' as const,
  ipProto: 50,
  src: '192.0.2.1',
  dst: '198.51.100.1',
  sport: 0,
  dport: 0,
};

function run(config: IpsecGatewayConfig, n: number): GatewayRunResult {
  const items: WorkloadItem[] = Array.from({ length: n }, () => ({ kind: 'packet', flow: 0 }));
  const r = unwrap(runIpsecGateway({ config, workload: { flows: [ESP_FLOW], items }, schedule: [] }));
  return r;
}

/** SC-15's box: 4 CPUs, 4 netisr threads, ip FLOW (non-RSS), net.isr.dispatch=direct, rcvif 3. */
const sc15 = (extra: Partial<IpsecGatewayConfig['host']> = {}): IpsecGatewayConfig => ({
  host: { cpuCount: 4, sysctl: { 'net.isr.maxthreads': 4 }, ...extra },
  rcvifIndex: 3,
  inbound: espBundle(1, 0x1000),
  chain: [],
});

const row = (r: GatewayRunResult, cpu: number, proto: string): NetisrWorkRow | undefined => {
  const last = r.trace.filter((e) => e.kind === 'counters').at(-1);
  return last?.kind === 'counters' ? last.netisr.find((w) => w.cpu === cpu && w.proto === proto) : undefined;
};

describe('inbound IPsec: decrypted packets are re-injected through the ip netisr queue (S-2, S-3)', () => {
  it('SC-15: SPI 0x1000, rcvif 3, 4 workstreams: queued on WS3 although net.isr.dispatch is direct', () => {
    const r = run(sc15(), 1);
    const enq = r.trace.filter((e): e is EnqueueEvent => e.kind === 'enqueue');
    expect(enq.map((e) => [e.proto, e.cpu])).toEqual([['ip', (3 + 0x1000) % 4]]);
    // The outer packet was handled inline (DIRECT) on the ring's CPU, the inner one by WS3's thread.
    const handles = r.trace.filter((e) => e.kind === 'handle' && e.proto === 'ip');
    expect(handles.map((h) => h.kind === 'handle' && h.cpu)).toEqual([0, 3]);
    expect(row(r, 3, 'ip')).toMatchObject({ queued: 1, handled: 1, qdrops: 0 });
    expect(r.stats).toMatchObject({ esps_input: 1, ifi_opackets: 1 });
  });

  it('SC-15: a full ip queue on WS3 counts QDrops there and esps_qfull (S-4), and frees the packet', () => {
    const r = run(sc15({ qlimits: { ip: 1 } }), 3);
    expect(row(r, 3, 'ip')).toMatchObject({ queued: 1, qdrops: 2 });
    expect(r.stats.esps_qfull).toBe(2);
    const drops = r.trace.filter((e) => e.kind === 'drop');
    expect(drops.map((d) => d.kind === 'drop' && d.counter)).toEqual(['ip.QDrops', 'ip.QDrops']);
    const allocs = r.trace.filter((e) => e.kind === 'alloc').length;
    expect(r.trace.filter((e) => e.kind === 'free')).toHaveLength(allocs);
  });

  it('nested SAs are stripped one per pass, each pass on a fresh netisr stack: no recursion', () => {
    const one = run({ ...sc15(), inbound: espBundle(1) }, 1);
    const three = run({ ...sc15(), inbound: espBundle(3) }, 1);
    expect(three.trace.filter((e) => e.kind === 'handle' && e.proto === 'ip')).toHaveLength(4);
    expect(three.stats.esps_input).toBe(3);
    expect(three.stackDepthBytesMax).toBe(one.stackDepthBytesMax);
    const deepest = (r: GatewayRunResult) =>
      r.trace
        .filter((e): e is StackEvent => e.kind === 'stack')
        .map((e) => e.frames.split('>').filter((f) => f === 'esp_input').length);
    expect(Math.max(...deepest(three))).toBe(1);
  });
});

describe('inbound gif/gre: the inner packet goes back to netisr_dispatch and the policy decides (S-5)', () => {
  /** IP-in-IP from a peer, in gif0 > gre1 > gif1 (outermost first), forwarded in the clear. */
  const nested = (policy: DispatchPolicy) => {
    const config: IpsecGatewayConfig = {
      host: { cpuCount: 1 },
      inbound: [
        { kind: 'tunnel', type: 'gif', unit: 0 },
        { kind: 'tunnel', type: 'gre', unit: 1 },
        { kind: 'tunnel', type: 'gif', unit: 1 },
      ],
      chain: [],
    };
    const flow = { ...ESP_FLOW, ipProto: 4 };
    const items: WorkloadItem[] = [{ kind: 'packet', flow: 0 }];
    return unwrap(runIpsecGateway({ config, workload: { flows: [flow], items }, schedule: [], policy }));
  };
  const depths: number[] = [];
  const answer = (mode: 'direct' | 'queue'): DispatchPolicy => ({
    name: mode,
    place: (pkt, ctx) => {
      if (pkt.protocol === 'ip') depths.push(pkt.encapDepth);
      return { cpu: ctx.cpu, mode };
    },
  });
  const ipInputsOnOneStack = (r: GatewayRunResult) =>
    Math.max(
      ...r.trace
        .filter((e): e is StackEvent => e.kind === 'stack')
        .map((e) => e.frames.split('>').filter((f) => f === 'ip_input').length),
    );

  it('answered inline, every layer nests another ip_input on the same stack; the view counts the layers off', () => {
    depths.length = 0;
    const r = nested(answer('direct'));
    expect(depths).toEqual([0, 1, 2, 3]);
    expect(ipInputsOnOneStack(r)).toBe(4);
    const frames = r.trace.filter((e): e is StackEvent => e.kind === 'stack').map((e) => e.frames);
    expect(frames.some((f) => f.includes('encap4_input>in_gre_input>gre_input'))).toBe(true);
    expect(r.stats.ifi_opackets).toBe(1);
  });

  it('queued, each layer is handled on a fresh netisr stack: one ip_input deep, whatever the nesting', () => {
    const r = nested(answer('queue'));
    expect(ipInputsOnOneStack(r)).toBe(1);
    expect(r.trace.filter((e) => e.kind === 'enqueue' && e.proto === 'ip')).toHaveLength(4);
    const allocs = r.trace.filter((e) => e.kind === 'alloc').length;
    expect(r.trace.filter((e) => e.kind === 'free')).toHaveLength(allocs);
  });
});
