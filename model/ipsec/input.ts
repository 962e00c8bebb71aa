import { assert } from '../brand.ts';
import type { Netisr } from '../netisr/netisr.ts';
import type { ThreadRef } from '../netisr/setup.ts';
import type { Packet } from '../packet.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { StatCounters } from '../stats.ts';
import { type CallBody, nestedCall } from './calls.ts';
import type { InboundLayer, SaElement, SaProto, TunnelElement } from './chain.ts';
import type { MbufTable } from './mbuf.ts';

/** What the inbound path runs against. */
export interface InputEnv {
  /** The layers an arriving tunnelled packet is wrapped in, outermost first (nested: several). */
  readonly inbound: readonly InboundLayer[];
  readonly stats: StatCounters;
  readonly mbufs: MbufTable;
  readonly netisr: Netisr;
  readonly frameBytes: (frame: string) => number;
}

/** The xform's input routine and callback (xform_esp.c, xform_ah.c, xform_ipcomp.c). */
const XFORM_INPUT: Readonly<Record<SaProto, { input: string; callback: string }>> = {
  esp: { input: 'esp_input', callback: 'esp_input_cb' },
  ah: { input: 'ah_input', callback: 'ah_input_cb' },
  ipcomp: { input: 'ipcomp_input', callback: 'ipcomp_input_cb' },
};

/**
 * The outer IPv4 protocols ip_input hands to a decapsulating pr_input: IP-in-IP (4, gif), GRE (47),
 * ESP (50), AH (51), IPComp (108).
 */
const TUNNELLED_PROTOS: ReadonlySet<number> = new Set([4, 47, 50, 51, 108]);

/** The tunnel's input routines (sys/netinet/ip_encap.c encap4_input, in_gif.c, ip_gre.c, if_gif.c, if_gre.c). */
const TUNNEL_INPUT: Readonly<Record<TunnelElement['type'], readonly [string, ...string[]]>> = {
  gif: ['encap4_input', 'in_gif_input', 'gif_input'],
  gre: ['encap4_input', 'in_gre_input', 'gre_input'],
};

/**
 * Inbound IPsec (sys/netipsec/ipsec_input.c), the same in the D9721 kernel and today:
 *
 *   ip_input -> ipsec4_input -> ipsec_common_input -> xf_input -> crypto ... crypto_done
 *            -> xf_input_cb -> ipsec4_common_input_cb -> netisr_queue_src(NETISR_IP, SPI)
 *
 * S-2/S-3: the decapsulated packet is always queued (never inline, whatever net.isr.dispatch), with
 * the SPI as netisr source, so nested SAs never recurse on one stack. The inner packet carries no
 * hash (SC-15's reading; the notes mark it unverified), so a FLOW or CPU policy falls back to
 * SOURCE: workstream (if_index + SPI) % nws_count. S-4: a full ip queue counts QDrops and the
 * xform's `qfull`. Once every layer is off, the inner packet goes on through ip_input as usual.
 */
export class IpsecInput {
  readonly #env: InputEnv;

  constructor(env: InputEnv) {
    this.#env = env;
  }

  /** Whether ip_input hands this packet to a decapsulating pr_input: IPv4, tunnelled, a layer left. */
  wants(pkt: Packet): boolean {
    const { flow } = pkt;
    if (flow.family !== 'inet' || !TUNNELLED_PROTOS.has(flow.ipProto)) return false;
    return this.#env.mbufs.decapsulated(pkt.id) < this.#env.inbound.length;
  }

  /** The outermost layer still on the packet; it comes off (the view's encapDepth grows). */
  #strip(pkt: Packet): void {
    const layer = this.#env.inbound[this.#env.mbufs.decapsulated(pkt.id)];
    if (layer === undefined) assert(false, `S-2: packet ${pkt.id} has no layer left to strip`);
    this.#env.mbufs.decapsulate(pkt.id);
    const kind = layer.kind === 'sa' ? layer.proto : layer.type;
    pkt.encap = [...pkt.encap, { kind, id: layer.kind === 'sa' ? layer.spi : layer.unit }];
  }

  #call(frame: string, run: () => readonly KernelCall[] | undefined): KernelCall {
    return { frame, frameBytes: this.#env.frameBytes(frame), run };
  }

  /** The pr_input of the packet's outermost remaining layer, down to the re-injection. */
  input(pkt: Packet, thread: ThreadRef): readonly KernelCall[] {
    const layer = this.#env.inbound[this.#env.mbufs.decapsulated(pkt.id)];
    if (layer === undefined) assert(false, `S-2: packet ${pkt.id} has no layer left to strip`);
    return layer.kind === 'sa' ? this.#saInput(pkt, thread, layer) : this.#tunnelInput(pkt, thread, layer);
  }

  /**
   * S-5 (in_gif_input -> gif_input, in_gre_input -> gre_input): the inner packet goes back to
   * netisr_dispatch, so the policy decides; inline, its ip_input runs on top of this one's frames
   * (the recursion the old gif_input comment says once overflowed the kernel stack). The NIC's hash
   * stays on the mbuf (S-6). A refused dispatch frees the packet.
   */
  #tunnelInput(pkt: Packet, thread: ThreadRef, tunnel: TunnelElement): readonly KernelCall[] {
    const { mbufs, netisr } = this.#env;
    return [
      this.#chain(TUNNEL_INPUT[tunnel.type], () => {
        this.#strip(pkt);
        return [netisr.dispatch('ip', pkt, thread, { onDropped: () => mbufs.freem(pkt.id, thread.cpu) })];
      }),
    ];
  }

  #saInput(pkt: Packet, thread: ThreadRef, sa: SaElement): readonly KernelCall[] {
    const { mbufs, stats } = this.#env;
    const xform = XFORM_INPUT[sa.proto];
    stats.inc('ips_total');
    stats.inc(`${sa.proto}s_input`);
    const reinject = this.#call('ipsec4_common_input_cb', () => {
      this.#strip(pkt);
      // SC-15: the inner packet has no hash; S-3: source = the SPI.
      pkt.hash = 0;
      pkt.hashType = 'none';
      return [
        this.#env.netisr.dispatch('ip', pkt, thread, {
          source: sa.spi,
          deferredOnly: true,
          onDropped: () => {
            stats.inc(`${sa.proto}s_qfull`);
            mbufs.freem(pkt.id, thread.cpu);
          },
        }),
      ];
    });
    const frames = [
      'ipsec4_input',
      'ipsec_common_input',
      xform.input,
      'crypto_dispatch',
      'crypto_invoke',
    ] as const;
    const tail = ['swcr_process', 'crypto_done', xform.callback] as const;
    return [this.#chain([...frames, ...tail], () => [reinject])];
  }

  #chain(frames: readonly [string, ...string[]], run: CallBody): KernelCall {
    return nestedCall(this.#env.frameBytes, frames, run);
  }
}
