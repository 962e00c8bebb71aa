import { assertNever } from '../brand.ts';

/**
 * What stands between a packet and the wire on the output path, innermost first: SAs (consecutive
 * SAs are one bundle, one security policy with several requests), tunnel interfaces the route
 * points into, pfil hooks on an ip_output pass, and netgraph nodes behind an ng_iface. A chain is
 * plain data so fast-check can generate and shrink it.
 */
export type SaProto = 'esp' | 'ah' | 'ipcomp';
export type TunnelType = 'gif' | 'gre';
export type PfilHook = 'pf' | 'ipfw';
export type NetgraphNode = 'ppp' | 'pppoe' | 'tee' | 'mppc';

export type ChainElement =
  | { readonly kind: 'sa'; readonly proto: SaProto; readonly spi: number }
  | { readonly kind: 'tunnel'; readonly type: TunnelType; readonly unit: number }
  | { readonly kind: 'pfil'; readonly hook: PfilHook }
  | { readonly kind: 'netgraph'; readonly node: NetgraphNode };

export type Chain = readonly ChainElement[];

/** One SA of a chain (a bundle's member, or an inbound layer). */
export type SaElement = Extract<ChainElement, { kind: 'sa' }>;

/** One gif/gre tunnel of a chain, or an inbound tunnel layer. */
export type TunnelElement = Extract<ChainElement, { kind: 'tunnel' }>;

/**
 * One layer an arriving packet is wrapped in, outermost first: an SA (decrypted by
 * ipsec4_common_input) or a gif/gre tunnel (decapsulated by in_gif_input / in_gre_input).
 */
export type InboundLayer = SaElement | TunnelElement;

/** One step from an ip_output pass to the next (or to the wire). */
export type Hop =
  | { readonly kind: 'bundle'; readonly sas: readonly Extract<ChainElement, { kind: 'sa' }>[] }
  | { readonly kind: 'tunnel'; readonly type: TunnelType; readonly unit: number }
  /** `terminal`: the path ends at ng_ether's lower hook (PPPoE style); otherwise at ng_ksocket,
   *  which sends the payload through a UDP socket and so re-enters ip_output (L2TP/PPTP style). */
  | { readonly kind: 'netgraph'; readonly nodes: readonly NetgraphNode[]; readonly terminal: boolean }
  | { readonly kind: 'wire' };

/** What one ip_output pass does: the pfil hooks it runs, then the hop it takes. */
export interface Pass {
  readonly hooks: readonly PfilHook[];
  readonly hop: Hop;
  /** Chain index where the next pass starts. */
  readonly nextIndex: number;
}

/** Splits the chain at `index` into the pass that starts there. Pure; a loop, no recursion. */
export function passAt(chain: Chain, index: number): Pass {
  const hooks: PfilHook[] = [];
  let i = index;
  let first = chain[i];
  while (first?.kind === 'pfil') {
    hooks.push(first.hook);
    first = chain[++i];
  }
  if (first === undefined) return { hooks, hop: { kind: 'wire' }, nextIndex: i };
  switch (first.kind) {
    case 'sa': {
      const sas: Extract<ChainElement, { kind: 'sa' }>[] = [];
      for (let el = chain[i]; el?.kind === 'sa'; el = chain[++i]) sas.push(el);
      return { hooks, hop: { kind: 'bundle', sas }, nextIndex: i };
    }
    case 'tunnel':
      return { hooks, hop: { kind: 'tunnel', type: first.type, unit: first.unit }, nextIndex: i + 1 };
    case 'netgraph': {
      const nodes: NetgraphNode[] = [];
      for (let el = chain[i]; el?.kind === 'netgraph'; el = chain[++i]) nodes.push(el.node);
      return { hooks, hop: { kind: 'netgraph', nodes, terminal: i >= chain.length }, nextIndex: i };
    }
    default:
      return assertNever(first);
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Script-like text for reports: `esp(0x1000)+ah(0x1001) > gif0 > pf > ng_ppp`. */
export function chainLabel(chain: Chain): string {
  const parts: string[] = [];
  let previous: ChainElement | undefined;
  for (const el of chain) {
    switch (el.kind) {
      case 'sa': {
        const text = `${el.proto}(${hex(el.spi)})`;
        // Consecutive SAs are one bundle: print them joined.
        if (previous?.kind === 'sa') parts[parts.length - 1] = `${parts[parts.length - 1]}+${text}`;
        else parts.push(text);
        break;
      }
      case 'tunnel':
        parts.push(`${el.type}${el.unit}`);
        break;
      case 'pfil':
        parts.push(el.hook);
        break;
      case 'netgraph':
        parts.push(`ng_${el.node}`);
        break;
      default:
        assertNever(el);
    }
    previous = el;
  }
  return parts.length === 0 ? '(plain)' : parts.join(' > ');
}

/** A bundle of `n` ESP SAs with consecutive SPIs from `spiBase`. */
export function espBundle(n: number, spiBase = 0x1000): SaElement[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'sa', proto: 'esp', spi: spiBase + i }));
}
