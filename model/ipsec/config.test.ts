import { describe, expect, it } from 'vitest';
import { errorOf, unwrap } from '../result.ts';
import type { Chain, InboundLayer } from './chain.ts';
import {
  ARCH_KSTACK,
  IPSEC_NETISR_REGISTRATION,
  type IpsecGatewayConfig,
  type ResolvedIpsecGateway,
  resolveIpsecGateway,
} from './config.ts';
import { IPSEC_FRAME_BYTES } from './frames.ts';
import { ipsecKnobs, resolveUseNetisr, USE_NETISR_KSTACK_PAGES_MIN } from './knobs.ts';

const config = (extra: Partial<IpsecGatewayConfig> = {}): IpsecGatewayConfig => ({
  host: { cpuCount: 2 },
  chain: [],
  ...extra,
});
const error = (extra: Partial<IpsecGatewayConfig>) => errorOf(resolveIpsecGateway(config(extra)));
const qlimits = (r: ResolvedIpsecGateway) =>
  Object.fromEntries(r.host.protocols.map((p) => [p.reg.name, p.qlimitPackets]));
const sa = (spi: number): Chain[number] => ({ kind: 'sa', proto: 'esp', spi });
const gif = (unit: number): InboundLayer => ({ kind: 'tunnel', type: 'gif', unit });

describe('net.inet.ipsec.use_netisr boot default (D9721: on when KSTACK_PAGES < 4)', () => {
  it('is on below 4 pages, off at 4 and above; an explicit value wins either way', () => {
    expect(USE_NETISR_KSTACK_PAGES_MIN).toBe(4);
    expect([1, 2, 3, 4, 5].map((pages) => resolveUseNetisr(undefined, pages))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(resolveUseNetisr(false, 2)).toBe(false);
    expect(resolveUseNetisr(true, 4)).toBe(true);
  });

  it('the resolved gateway carries the default in both places: useNetisr and the sysctl table', () => {
    for (const [arch, on] of [
      ['i386', true],
      ['amd64', false],
    ] as const) {
      const r = unwrap(
        resolveIpsecGateway(config({ host: { cpuCount: 1, sysctl: { ...ARCH_KSTACK[arch] } } })),
      );
      expect(r.useNetisr).toBe(on);
      expect(r.ipsec['net.inet.ipsec.use_netisr']).toBe(on);
    }
  });

  it('the ipsec-use-netisr-default-off variant leaves it off on i386, but an explicit on still wins', () => {
    const host = { cpuCount: 1, sysctl: { ...ARCH_KSTACK.i386 }, variants: ['ipsec-use-netisr-default-off'] };
    expect(unwrap(resolveIpsecGateway(config({ host } as never))).useNetisr).toBe(false);
    const explicit = config({ host, ipsec: { 'net.inet.ipsec.use_netisr': true } } as never);
    expect(unwrap(resolveIpsecGateway(explicit)).useNetisr).toBe(true);
  });
});

describe('resolveIpsecGateway: defaults', () => {
  it('takes the knob defaults, rcvif 1, no inbound layers, and the ipsec netisr protocol with qlimit 256', () => {
    const r = unwrap(resolveIpsecGateway(config()));
    expect(r.ipsec).toEqual({
      'net.inet.ipsec.use_netisr': false,
      'net.inet.ipsec.intr_queue_maxlen': 256,
      'net.link.gif.max_nesting': 1,
      'net.link.gre.max_nesting': 1,
    });
    expect(r.rcvifIndex).toBe(1);
    expect(r.inbound).toEqual([]);
    expect(qlimits(r)).toMatchObject({ ipsec: 256 });
    expect(r.host.protocols.find((p) => p.reg.name === 'ipsec')?.reg).toEqual(IPSEC_NETISR_REGISTRATION);
  });

  it("IPsec frame sizes join the host's; a host override of one wins", () => {
    const r = unwrap(resolveIpsecGateway(config({ host: { cpuCount: 1, frameBytes: { esp_output: 1 } } })));
    expect(r.host.frameBytes.esp_output).toBe(1);
    expect(r.host.frameBytes.ah_output).toBe(IPSEC_FRAME_BYTES.ah_output);
  });

  it("keeps the host's own extra protocols and qlimits next to the ipsec ones", () => {
    const r = unwrap(resolveIpsecGateway(config({ host: { cpuCount: 1, qlimits: { ip: 7 } } })));
    expect(qlimits(r)).toMatchObject({ ip: 7, ipsec: 256 });
  });
});

describe('resolveIpsecGateway: bad input answers one sentence', () => {
  it('an unknown sysctl or a knob out of its bounds', () => {
    expect(error({ ipsec: { 'net.inet.ipsec.bogus': 1 } as never })).toBe(
      'unknown sysctl net.inet.ipsec.bogus',
    );
    const max = ipsecKnobs['net.link.gif.max_nesting'].max;
    expect(error({ ipsec: { 'net.link.gif.max_nesting': max + 1 } })).toMatch(/net.link.gif.max_nesting/);
    expect(error({ ipsec: { 'net.link.gre.max_nesting': 0 } })).toMatch(/net.link.gre.max_nesting/);
  });

  it('SPIs: 0x100..0xffffffff, integers only (RFC 4303 reserves 1..255)', () => {
    expect(error({ chain: [sa(0x100), sa(0xffffffff)] })).toBeUndefined();
    expect(error({ chain: [sa(0x100), sa(0xff)] })).toBe('chain[1]: SPI 255 outside 0x100..0xffffffff');
    expect(error({ chain: [sa(0x100000000)] })).toBe('chain[0]: SPI 4294967296 outside 0x100..0xffffffff');
    expect(error({ chain: [sa(256.5)] })).toBe('chain[0]: SPI 256.5 outside 0x100..0xffffffff');
  });

  it('tunnel units: 0..255, integers only; inbound layers are checked under their own name', () => {
    expect(error({ chain: [gif(0), gif(255)] })).toBeUndefined();
    expect(error({ chain: [gif(256)] })).toBe('chain[0]: tunnel unit 256 outside 0..255');
    expect(error({ chain: [gif(-1)] })).toBe('chain[0]: tunnel unit -1 outside 0..255');
    expect(error({ chain: [gif(0.5)] })).toBe('chain[0]: tunnel unit 0.5 outside 0..255');
    expect(error({ inbound: [gif(0), gif(300)] })).toBe('inbound[1]: tunnel unit 300 outside 0..255');
    expect(error({ inbound: [sa(7) as InboundLayer] })).toBe('inbound[0]: SPI 7 outside 0x100..0xffffffff');
  });

  it('a chain of at most 64 elements', () => {
    const hooks = (n: number): Chain => Array.from({ length: n }, () => ({ kind: 'pfil', hook: 'pf' }));
    expect(error({ chain: hooks(64) })).toBeUndefined();
    expect(error({ chain: hooks(65) })).toBe('chain: 65 elements, want at most 64');
    expect(error({ inbound: Array.from({ length: 65 }, () => gif(0)) })).toBe(
      'inbound: 65 elements, want at most 64',
    );
  });

  it('rcvifIndex: 1..65535, integers only', () => {
    expect(unwrap(resolveIpsecGateway(config({ rcvifIndex: 65535 }))).rcvifIndex).toBe(65535);
    expect(unwrap(resolveIpsecGateway(config({ rcvifIndex: 1 }))).rcvifIndex).toBe(1);
    for (const bad of [0, 65536, 1.5])
      expect(error({ rcvifIndex: bad })).toBe(`rcvifIndex ${bad}: want 1..65535`);
  });

  it("the host's own errors come through", () => {
    expect(error({ host: { cpuCount: 0 } })).toBe('cpuCount 0: want 1..64');
  });
});
