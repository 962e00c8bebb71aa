import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAME_BYTES } from '../host/frames.ts';
import { packets, udpFlow } from '../host/scenario.ts';
import { errorOf, unwrap } from '../result.ts';
import type { StackEvent } from '../trace.ts';
import { type Chain, espBundle } from './chain.ts';
import { ARCH_KSTACK, type IpsecGatewayConfig } from './config.ts';
import { IPSEC_FRAME_BYTES } from './frames.ts';
import { type GatewayRunResult, runIpsecGateway } from './gateway.ts';

function run(config: IpsecGatewayConfig, n = 2, schedule: number[] = []): GatewayRunResult {
  const r = unwrap(
    runIpsecGateway({
      config,
      workload: { flows: [udpFlow(0)], items: packets(Array(n).fill(0)) },
      schedule,
    }),
  );
  return r;
}

const gateway = (arch: keyof typeof ARCH_KSTACK, chain: Chain, useNetisr?: boolean): IpsecGatewayConfig => ({
  host: { cpuCount: 1, sysctl: { ...ARCH_KSTACK[arch] } },
  ...(useNetisr === undefined ? {} : { ipsec: { 'net.inet.ipsec.use_netisr': useNetisr } }),
  chain,
});

const deepest = (r: GatewayRunResult): StackEvent => {
  const stacks = r.trace.filter((e): e is StackEvent => e.kind === 'stack');
  return stacks.reduce((a, b) => (b.depthBytes > a.depthBytes ? b : a));
};

/** One ESP SA applied in the caller: perform_request down to ipsec_process_done (frames.ts). */
const ESP_SA_BYTES = [
  'ipsec4_perform_request',
  'esp_output',
  'crypto_dispatch',
  'crypto_invoke',
  'swcr_process',
  'crypto_done',
  'esp_output_cb',
  'ipsec_process_done',
].reduce((sum, f) => sum + (IPSEC_FRAME_BYTES[f] ?? Number.NaN), 0);

describe('IPsec output recursion and the D9721 deferral', () => {
  it('without deferral every bundled SA nests one more SA chain on the same stack; with it the depth is flat', () => {
    const recursive = [1, 2, 3, 4].map((n) => run(gateway('amd64', espBundle(n), false)).stackDepthBytesMax);
    const deferred = [1, 2, 3, 4].map((n) => run(gateway('amd64', espBundle(n), true)).stackDepthBytesMax);
    for (let n = 1; n < 4; n++) {
      expect((recursive[n] ?? 0) - (recursive[n - 1] ?? 0)).toBe(ESP_SA_BYTES);
      expect(deferred[n]).toBe(deferred[0]);
    }
    expect(deferred[0]).toBeLessThan(recursive[0] ?? 0);
  });

  it('the trace opens with the kernel the gateway boots (freebsd-14 GENERIC)', () => {
    expect(run(gateway('i386', espBundle(2), false)).trace[0]).toMatchObject({
      kind: 'kernel',
      os: 'freebsd',
      version: 'freebsd-14',
      config: 'GENERIC',
    });
  });

  it('the recursive chain is ip_output -> ipsec -> ipsec_process_done -> ipsec4_perform_request ... -> ip_output', () => {
    const frames = deepest(run(gateway('i386', espBundle(2), false))).frames.split('>');
    expect(frames.filter((f) => f === 'ipsec4_perform_request')).toHaveLength(2);
    expect(frames.filter((f) => f === 'ip_output')).toHaveLength(2);
    expect(frames[0]).toBe('kstack_pcb');
    expect(frames.at(-1)).toBe('iflib_encap');
  });

  it('deferred: each SA runs on the netisr thread, after ipsec_input, source = SPI (S-3 style)', () => {
    const r = run(gateway('i386', espBundle(2, 0x2000), true), 1);
    const handles = r.trace.filter((e) => e.kind === 'handle' && e.proto === 'ipsec');
    expect(handles).toHaveLength(2);
    expect(r.trace.filter((e) => e.kind === 'enqueue' && e.proto === 'ipsec')).toHaveLength(2);
    expect(r.stats.ips_out_bundlesa).toBe(1);
    const swi = deepest(r);
    expect(swi.frames).toContain('swi_net>ipsec_input>ipsec4_perform_request');
  });

  it('use_netisr defaults on only when KSTACK_PAGES < 4; an explicit setting wins', () => {
    const resolved = (arch: keyof typeof ARCH_KSTACK, explicit?: boolean) =>
      run(gateway(arch, [], explicit), 0).config;
    expect(resolved('i386').useNetisr).toBe(true);
    expect(resolved('amd64').useNetisr).toBe(false);
    expect(resolved('i386', false).useNetisr).toBe(false);
    expect(resolved('amd64', true).ipsec['net.inet.ipsec.use_netisr']).toBe(true);
  });

  it('registers the ipsec protocol with qlimit net.inet.ipsec.intr_queue_maxlen', () => {
    const r = run(
      { ...gateway('i386', espBundle(1)), ipsec: { 'net.inet.ipsec.intr_queue_maxlen': 8192 } },
      0,
    );
    expect(r.netstatQ).toContain('ipsec     11   8192 source  default   ---');
  });

  it('gif nesting: a second gif is refused with EIO, freed and counted in its oerrors (max_nesting 1)', () => {
    const chain: Chain = [
      { kind: 'tunnel', type: 'gif', unit: 0 },
      { kind: 'tunnel', type: 'gif', unit: 1 },
      ...espBundle(1),
    ];
    const r = run(gateway('amd64', chain), 3);
    expect(r.stats['gif1.oerrors']).toBe(3);
    const drops = r.trace.filter((e) => e.kind === 'drop');
    expect(drops.map((d) => d.kind === 'drop' && d.where)).toEqual(['tunnel', 'tunnel', 'tunnel']);
    const allowed = run({ ...gateway('amd64', chain), ipsec: { 'net.link.gif.max_nesting': 2 } }, 3);
    expect(allowed.stats['gif1.oerrors']).toBeUndefined();
    expect(allowed.stats.ifi_opackets).toBe(3);
  });

  it('a routing loop back into the same gif is refused at once (loop detection)', () => {
    const chain: Chain = [
      { kind: 'tunnel', type: 'gif', unit: 0 },
      { kind: 'tunnel', type: 'gif', unit: 0 },
    ];
    const r = run({ ...gateway('amd64', chain), ipsec: { 'net.link.gif.max_nesting': 8 } }, 1);
    const drop = r.trace.find((e) => e.kind === 'drop');
    expect(drop?.kind === 'drop' && drop.reason).toMatch(/^loop/);
  });

  it('netgraph: with under a quarter of the stack left, ng_snd_item queues the item to the netgraph thread', () => {
    const chain: Chain = [
      ...espBundle(3),
      { kind: 'netgraph', node: 'ppp' },
      { kind: 'netgraph', node: 'pppoe' },
    ];
    const r = run(gateway('i386', chain, false), 1);
    const ngStack = r.trace.filter(
      (e): e is StackEvent => e.kind === 'stack' && e.frames.includes('ngthread'),
    );
    expect(ngStack.length).toBeGreaterThan(0);
    expect(r.stats.ifi_opackets).toBe(1);
    // On 4 pages the same chain fits and runs inline.
    const amd64 = run(gateway('amd64', chain, false), 1);
    expect(amd64.trace.some((e) => e.kind === 'stack' && e.frames.includes('ngthread'))).toBe(false);
  });

  it('IPv6 takes ip6_forward -> ip6_output -> ipsec6_* and in6_gif_output', () => {
    const v6 = {
      family: 'inet6' as const,
      ipProto: 17,
      src: '2001:db8::1',
      dst: '2001:db8:1::1',
      sport: 1,
      dport: 2,
    };
    const chain: Chain = [{ kind: 'tunnel', type: 'gif', unit: 0 }, ...espBundle(2)];
    const r = unwrap(
      runIpsecGateway({
        config: gateway('amd64', chain, false),
        workload: { flows: [v6], items: [{ kind: 'packet', flow: 0 }] },
        schedule: [],
      }),
    );
    const frames = deepest(r).frames;
    expect(frames).toContain(
      'ip6_input>ip6_forward>ip6_output>ip6_output_send>gif_output>gif_transmit>in6_gif_output',
    );
    expect(frames).toContain('ipsec6_process_packet>ipsec6_perform_request');
    expect(frames).not.toContain('ipsec4');
    expect(r.stats).toMatchObject({ ip6s_forward: 1, ips6_out_bundlesa: 1, ifi_opackets: 1 });
  });

  it('every frame on the path has a documented cost (none falls back to the unknown-frame default)', () => {
    const chain: Chain = [
      { kind: 'pfil', hook: 'pf' },
      { kind: 'sa', proto: 'ah', spi: 0x1000 },
      { kind: 'sa', proto: 'ipcomp', spi: 0x1001 },
      { kind: 'tunnel', type: 'gre', unit: 0 },
      { kind: 'pfil', hook: 'ipfw' },
      { kind: 'netgraph', node: 'tee' },
      { kind: 'netgraph', node: 'mppc' },
      { kind: 'tunnel', type: 'gif', unit: 0 },
      ...espBundle(1),
      { kind: 'netgraph', node: 'ppp' },
      { kind: 'netgraph', node: 'pppoe' },
    ];
    const frames = new Set<string>();
    for (const [arch, useNetisr] of [
      ['i386', true],
      ['i386', false],
      ['amd64', false],
    ] as const) {
      const r = run(gateway(arch, chain, useNetisr), 3);
      for (const e of r.trace) if (e.kind === 'stack') for (const f of e.frames.split('>')) frames.add(f);
    }
    const unknown = [...frames].filter(
      (f) => IPSEC_FRAME_BYTES[f] === undefined && DEFAULT_FRAME_BYTES[f] === undefined,
    );
    expect(unknown).toEqual([]);
    expect(frames).toContain('ngthread');
  });

  it('frame costs are configuration: overriding one moves the depth by the difference per SA', () => {
    const base = run(gateway('amd64', espBundle(3), false)).stackDepthBytesMax;
    const config = gateway('amd64', espBundle(3), false);
    const heavier = run({
      ...config,
      host: { ...config.host, frameBytes: { esp_output: (IPSEC_FRAME_BYTES.esp_output ?? 0) + 100 } },
    });
    expect(heavier.stackDepthBytesMax - base).toBe(3 * 100);
  });

  it('is deterministic: the same input gives the same trace', () => {
    const config = { ...gateway('i386', [{ kind: 'pfil', hook: 'pf' }, ...espBundle(2)], true) };
    const a = run(config, 20, [1, 2, 0, 3, 1]);
    const b = run(config, 20, [1, 2, 0, 3, 1]);
    expect(JSON.stringify(a.trace)).toBe(JSON.stringify(b.trace));
  });

  it('bad input answers one sentence', () => {
    const bad = (config: IpsecGatewayConfig) =>
      errorOf(runIpsecGateway({ config, workload: { flows: [udpFlow(0)], items: [] }, schedule: [] }));
    expect(bad({ ...gateway('i386', []), ipsec: { 'net.inet.ipsec.intr_queue_maxlen': 0 } })).toMatch(
      /intr_queue_maxlen/,
    );
    expect(bad({ ...gateway('i386', [{ kind: 'sa', proto: 'esp', spi: 7 }]) })).toMatch(/SPI 7/);
    expect(
      bad({
        host: { cpuCount: 1, sysctl: { 'net.isr.maxqlimit': 100 } },
        ipsec: { 'net.inet.ipsec.intr_queue_maxlen': 200 },
        chain: [],
      }),
    ).toMatch(/EINVAL/);
  });
});
