import { assert } from '../brand.ts';
import type { Netisr } from '../netisr/netisr.ts';
import type { ThreadRef } from '../netisr/setup.ts';
import { IPPROTO_ESP, type Packet } from '../packet.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { StatCounters } from '../stats.ts';
import type { SaElement, SaProto } from './chain.ts';
import type { MbufTable } from './mbuf.ts';

/** What the inbound path runs against. */
export interface InputEnv {
  /** The SAs an arriving ESP packet is wrapped in, outermost first (nested tunnels: several). */
  readonly inbound: readonly SaElement[];
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

  /** Whether ip_input hands this packet to IPsec: an IPv4 ESP packet with a layer left to strip. */
  wants(pkt: Packet): boolean {
    const { flow } = pkt;
    if (flow.family !== 'inet' || flow.ipProto !== IPPROTO_ESP) return false;
    return this.#env.mbufs.decapsulated(pkt.id) < this.#env.inbound.length;
  }

  #call(frame: string, run: () => readonly KernelCall[] | undefined): KernelCall {
    return { frame, frameBytes: this.#env.frameBytes(frame), run };
  }

  /** The pr_input of the packet's outermost remaining SA, down to the re-injection. */
  input(pkt: Packet, thread: ThreadRef): readonly KernelCall[] {
    const { mbufs, stats, inbound } = this.#env;
    const layer = mbufs.decapsulated(pkt.id);
    const sa = inbound[layer];
    assert(sa !== undefined, `S-2: packet ${pkt.id} has no IPsec layer ${layer} to strip`);
    const xform = XFORM_INPUT[sa.proto];
    stats.inc('ips_total');
    stats.inc(`${sa.proto}s_input`);
    const reinject = this.#call('ipsec4_common_input_cb', () => {
      mbufs.decapsulate(pkt.id);
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
    const frames = ['ipsec4_input', 'ipsec_common_input', xform.input, 'crypto_dispatch', 'crypto_invoke'];
    const tail = ['swcr_process', 'crypto_done', xform.callback];
    return [this.#chain([...frames, ...tail], () => [reinject])];
  }

  #chain(frames: readonly string[], run: () => readonly KernelCall[]): KernelCall {
    let call = this.#call(frames[frames.length - 1] ?? 'unknown', run);
    for (let i = frames.length - 2; i >= 0; i--) {
      const inner = call;
      call = this.#call(frames[i] ?? 'unknown', () => [inner]);
    }
    return call;
  }
}
