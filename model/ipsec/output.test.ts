import { describe, expect, it } from 'vitest';
import { packets, udpFlow } from '../host/scenario.ts';
import { unwrap } from '../result.ts';
import type { StackEvent } from '../trace.ts';
import { type Chain, espBundle } from './chain.ts';
import { type GatewayRunResult, runIpsecGateway } from './gateway.ts';

/** One CPU; KSTACK_PAGES 4 (amd64, room for every chain here) unless `pages` says otherwise. */
function run(
  chain: Chain,
  options: { n?: number; pages?: number; useNetisr?: boolean } = {},
): GatewayRunResult {
  const { n = 1, pages = 4, useNetisr } = options;
  return unwrap(
    runIpsecGateway({
      config: {
        host: { cpuCount: 1, sysctl: { 'kern.kstack_pages': pages } },
        ...(useNetisr === undefined ? {} : { ipsec: { 'net.inet.ipsec.use_netisr': useNetisr } }),
        chain,
      },
      workload: { flows: [udpFlow(0)], items: packets(Array(n).fill(0)) },
      schedule: [],
    }),
  );
}

/** The frames of the deepest stack the run reached, from ip_forward on. */
function deepestFrom(r: GatewayRunResult, first = 'ip_forward'): string {
  const stacks = r.trace.filter((e): e is StackEvent => e.kind === 'stack');
  const deepest = stacks.reduce((a, b) => (b.depthBytes > a.depthBytes ? b : a));
  return deepest.frames.slice(deepest.frames.indexOf(first));
}

const DRIVER = 'ether_output_frame>iflib_if_transmit>iflib_encap';

describe('ip_output: the way out to the driver', () => {
  it('a plain forward leaves by ip_output_send -> ether_output -> ether_output_frame -> iflib (if_ethersubr.c, iflib.c)', () => {
    const r = run([]);
    expect(deepestFrom(r)).toBe(`ip_forward>ip_output>ip_output_send>ether_output>${DRIVER}`);
    expect(r.stats).toMatchObject({ ips_total: 1, ips_forward: 1, ifi_opackets: 1 });
  });

  it("ng_ether's lower hook hands the frame straight to ether_output_frame (ng_ether.c ng_ether_rcv_lower), not ether_output", () => {
    const r = run([
      { kind: 'netgraph', node: 'ppp' },
      { kind: 'netgraph', node: 'pppoe' },
    ]);
    expect(deepestFrom(r, 'ng_iface_output')).toBe(
      'ng_iface_output>ng_iface_send>ng_snd_item>ng_apply_item>ng_ppp_rcvdata>ng_snd_item>ng_apply_item>' +
        `ng_pppoe_rcvdata>ng_snd_item>ng_apply_item>ng_ether_rcv_lower>${DRIVER}`,
    );
    expect(r.stats.ifi_opackets).toBe(1);
  });

  it('ng_ksocket sends the payload through a UDP socket, which re-enters ip_output for the rest of the chain', () => {
    const r = run([{ kind: 'netgraph', node: 'ppp' }, ...espBundle(1)]);
    const frames = deepestFrom(r, 'ng_ppp_rcvdata');
    expect(frames).toMatch(
      /^ng_ppp_rcvdata>ng_snd_item>ng_apply_item>ng_ksocket_rcvdata>sosend_dgram>udp_send>udp_output>ip_output>ipsec4_output>/,
    );
    expect(frames).not.toContain('ng_ether_rcv_lower');
    expect(frames.endsWith(`ipsec_process_done>ip_output>ip_output_send>ether_output>${DRIVER}`)).toBe(true);
    expect(r.stats).toMatchObject({ esps_output: 1, ifi_opackets: 1 });
  });
});

describe('ipsec4_perform_request: one xform output per SA (xform_esp.c, xform_ah.c, xform_ipcomp.c)', () => {
  it('each SA of a bundle counts its protocol`s output statistic once per packet; every SA after the first counts ips_out_bundlesa', () => {
    const chain: Chain = [
      { kind: 'sa', proto: 'ah', spi: 0x1000 },
      { kind: 'sa', proto: 'ipcomp', spi: 0x1001 },
      { kind: 'sa', proto: 'esp', spi: 0x1002 },
    ];
    expect(run(chain, { n: 3, useNetisr: false }).stats).toEqual({
      ips_total: 3,
      ips_forward: 3,
      ahs_output: 3,
      ipcomps_output: 3,
      esps_output: 3,
      ips_out_bundlesa: 6,
      ifi_opackets: 3,
    });
  });

  it('the ah and ipcomp xforms run their own crypto leaves (swcr_authcompute, swcr_compdec)', () => {
    const stacks = (proto: 'ah' | 'ipcomp') =>
      run([{ kind: 'sa', proto, spi: 0x1000 }], { useNetisr: false })
        .trace.filter((e): e is StackEvent => e.kind === 'stack')
        .map((e) => e.frames.slice(e.frames.indexOf(`${proto}_output`)));
    expect(stacks('ah')).toContain('ah_output>crypto_dispatch>crypto_invoke>swcr_process>swcr_authcompute');
    expect(stacks('ipcomp')).toContain(
      'ipcomp_output>crypto_dispatch>crypto_invoke>swcr_process>swcr_compdec',
    );
  });
});

describe('D9721 deferral: the m_tag that carries the request to the ipsec netisr handler', () => {
  it('the handler frees the deferral tag before it applies the SA; ipsec_process_done then adds IPSEC_OUT_DONE', () => {
    const r = run(espBundle(1), { pages: 2, useNetisr: true });
    const events = r.trace
      .map((e) => {
        if (e.kind === 'alloc' || e.kind === 'free') return `${e.kind} ${e.what} ${e.buf}`;
        return e.kind === 'handle' && e.proto === 'ipsec' ? 'handle ipsec' : undefined;
      })
      .filter((e) => e !== undefined);
    expect(events).toEqual([
      'alloc mbuf 0',
      'alloc tag 1',
      'handle ipsec',
      'free tag 1',
      'alloc tag 2',
      'free tag 2',
      'free mbuf 0',
    ]);
  });

  it('the request is always queued (netisr_queue_src), even with net.isr.dispatch=direct', () => {
    const r = run(espBundle(2), { pages: 2, useNetisr: true });
    const ipsec = r.trace.filter((e) => (e.kind === 'enqueue' || e.kind === 'handle') && e.proto === 'ipsec');
    expect(ipsec.map((e) => e.kind)).toEqual(['enqueue', 'handle', 'enqueue', 'handle']);
  });
});
