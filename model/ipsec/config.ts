import { type HostConfig, type ResolvedHostConfig, resolveHostConfig } from '../host/config.ts';
import { knobDefaults, knobError } from '../knobs.ts';
import type { ProtocolRegistration } from '../netisr/protocols.ts';
import { err, ok, type Result } from '../result.ts';
import type { Chain, InboundLayer } from './chain.ts';
import { IPSEC_FRAME_BYTES } from './frames.ts';
import { type IpsecSysctls, ipsecKnobs, resolveUseNetisr } from './knobs.ts';

/**
 * The ipsec netisr protocol of the D9721 kernel: number 11, SOURCE policy (so the SPI, passed as
 * the source, picks the workstream, N-5), default dispatch; its netstat -Q row in the review reads
 * `ipsec     11    256 source  default   ---` (seed 000).
 */
export const IPSEC_NETISR_REGISTRATION: ProtocolRegistration = {
  name: 'ipsec',
  proto: 11,
  policy: 'source',
  dispatch: 'default',
  qlimitPackets: 0,
  m2cpuid: false,
  drainedcpu: false,
  m2flow: false,
};

/** The architectures the review talks about: KSTACK_PAGES x PAGE_SIZE. */
export const ARCH_KSTACK = {
  /** sys/i386/include/param.h KSTACK_PAGES 2: 8 KiB. */
  i386: { 'kern.kstack_pages': 2, 'hw.pagesize': 4096 },
  /** sys/amd64/include/param.h KSTACK_PAGES 4: 16 KiB. */
  amd64: { 'kern.kstack_pages': 4, 'hw.pagesize': 4096 },
} as const;

/** A forwarding IPsec gateway: the host's configuration, the IPsec sysctls and the output chain. */
export interface IpsecGatewayConfig {
  readonly host: HostConfig;
  /** net.inet.ipsec.*, net.link.*.max_nesting; use_netisr unset takes the KSTACK_PAGES default. */
  readonly ipsec?: Partial<IpsecSysctls>;
  /** What forwarded packets pass on their way out, innermost first (model/ipsec/chain.ts). */
  readonly chain: Chain;
  /**
   * The layers that arriving tunnelled flows (IPv4 ESP, AH, IPComp, IP-in-IP or GRE) are wrapped
   * in, outermost first: each is stripped and the inner packet re-injected (model/ipsec/input.ts),
   * then forwarded through `chain`. Default none.
   */
  readonly inbound?: readonly InboundLayer[];
  /** The receiving interface's if_index (the SOURCE policy adds it to the source). Default 1. */
  readonly rcvifIndex?: number;
}

export interface ResolvedIpsecGateway {
  readonly host: ResolvedHostConfig;
  readonly ipsec: IpsecSysctls;
  /** use_netisr after the boot default (and the `ipsec-use-netisr-default-off` variant). */
  readonly useNetisr: boolean;
  readonly chain: Chain;
  readonly inbound: readonly InboundLayer[];
  readonly rcvifIndex: number;
}

/**
 * Validates and resolves a gateway configuration: the ipsec protocol is registered with qlimit
 * net.inet.ipsec.intr_queue_maxlen (above net.isr.maxqlimit: EINVAL, as netisr_setqlimit), IPsec
 * frame sizes join the host's, and use_netisr gets its boot default. Bad input: one sentence.
 */
export function resolveIpsecGateway(config: IpsecGatewayConfig): Result<ResolvedIpsecGateway, string> {
  const ipsec = { ...knobDefaults(ipsecKnobs), ...config.ipsec } as IpsecSysctls;
  for (const [name, value] of Object.entries(ipsec)) {
    const spec = ipsecKnobs[name as keyof typeof ipsecKnobs];
    if (spec === undefined) return err(`unknown sysctl ${name}`);
    const error = knobError(name, spec, value);
    if (error !== undefined) return err(error);
  }
  const inbound = config.inbound ?? [];
  const chainError = checkChain(config.chain) ?? checkChain(inbound, 'inbound');
  if (chainError !== undefined) return err(chainError);
  const rcvifIndex = config.rcvifIndex ?? 1;
  if (!Number.isInteger(rcvifIndex) || rcvifIndex < 1 || rcvifIndex > 0xffff)
    return err(`rcvifIndex ${rcvifIndex}: want 1..65535`);
  const resolvedHost = resolveHostConfig({
    ...config.host,
    extraProtocols: [...(config.host.extraProtocols ?? []), IPSEC_NETISR_REGISTRATION],
    qlimits: { ...config.host.qlimits, ipsec: ipsec['net.inet.ipsec.intr_queue_maxlen'] },
    frameBytes: { ...IPSEC_FRAME_BYTES, ...config.host.frameBytes },
  });
  if (!resolvedHost.ok) return resolvedHost;
  const host = resolvedHost.value;
  const explicit = config.ipsec?.['net.inet.ipsec.use_netisr'];
  const pages = host.variants.has('ipsec-use-netisr-default-off')
    ? Number.POSITIVE_INFINITY
    : host.sysctl['kern.kstack_pages'];
  const useNetisr = resolveUseNetisr(explicit, pages);
  return ok({
    host,
    ipsec: { ...ipsec, 'net.inet.ipsec.use_netisr': useNetisr },
    useNetisr,
    chain: config.chain,
    inbound,
    rcvifIndex,
  });
}

const SPI_MIN = 0x100; // RFC 4303: SPIs 1..255 are reserved.

function checkChain(chain: Chain, name = 'chain'): string | undefined {
  if (chain.length > 64) return `${name}: ${chain.length} elements, want at most 64`;
  for (const [i, el] of chain.entries()) {
    if (el.kind === 'sa' && (!Number.isInteger(el.spi) || el.spi < SPI_MIN || el.spi > 0xffffffff))
      return `${name}[${i}]: SPI ${el.spi} outside 0x100..0xffffffff`;
    if (el.kind === 'tunnel' && (!Number.isInteger(el.unit) || el.unit < 0 || el.unit > 255))
      return `${name}[${i}]: tunnel unit ${el.unit} outside 0..255`;
  }
  return undefined;
}
