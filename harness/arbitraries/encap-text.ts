import { type Chain, chainLabel } from '../../model/ipsec/chain.ts';

/**
 * The layers of an encapsulated case (encap-case.ts EncapSetup), as far as the text needs them.
 * Apart from the case text (run-case-text.ts) so that the report, in the command's main thread,
 * prints them without loading fast-check.
 */
export interface EncapParts {
  readonly inbound: Chain;
  readonly chain: Chain;
  readonly ipsec: Readonly<Record<string, unknown>>;
}

/**
 * An encapsulated case's layers as two lines:
 *
 *   inbound gif0 > gre1 > esp(0x1000) (each layer stripped, its inner packet dispatched again)
 *   outbound esp(0x1001) net.inet.ipsec.use_netisr=0
 */
export function encapText(e: EncapParts): string[] {
  const sysctls = Object.entries(e.ipsec).map(([k, v]) => `${k}=${typeof v === 'boolean' ? Number(v) : v}`);
  return [
    `inbound ${chainLabel(e.inbound)} (each layer stripped, its inner packet dispatched again)`,
    `outbound ${chainLabel(e.chain)}${sysctls.length > 0 ? ` ${sysctls.join(' ')}` : ''}`,
  ];
}
