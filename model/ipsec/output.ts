import { assert } from '../brand.ts';
import type { Netisr } from '../netisr/netisr.ts';
import type { ThreadRef } from '../netisr/setup.ts';
import type { Packet } from '../packet.ts';
import type { VirtualClock } from '../sim/clock.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { StatCounters } from '../stats.ts';
import type { TraceRecorder } from '../trace.ts';
import { checkTunnelNesting } from '../tunnel/nesting.ts';
import type { ModelVariant } from '../variants.ts';
import type { CounterName } from '../vocab.ts';
import { type CallBody, nestedCall } from './calls.ts';
import { type Chain, type PfilHook, passAt, type SaElement, type SaProto, type TunnelType } from './chain.ts';
import type { MbufTable } from './mbuf.ts';
import { type NetgraphEnv, netgraphOutput } from './netgraph.ts';

/** What the forwarding output path runs against. */
export interface OutputEnv {
  readonly chain: Chain;
  readonly trace: TraceRecorder;
  readonly clock: VirtualClock;
  readonly stats: StatCounters;
  readonly mbufs: MbufTable;
  readonly netisr: Netisr;
  readonly frameBytes: (frame: string) => number;
  readonly variants: ReadonlySet<ModelVariant>;
  /** net.inet.ipsec.use_netisr after its boot default (resolveUseNetisr). */
  readonly useNetisr: boolean;
  /** net.link.gif.max_nesting, net.link.gre.max_nesting. */
  readonly maxNesting: Readonly<Record<TunnelType, number>>;
  readonly netgraph: NetgraphEnv;
}

/** The output path's names per address family (ip_output.c / ip6_output.c, ipsec_output.c, in[6]_gif.c). */
const FAMILY = {
  inet: {
    forward: 'ip_forward',
    output: 'ip_output',
    send: 'ip_output_send',
    ipsecOutput: ['ipsec4_output', 'ipsec4_common_output', 'ipsec4_process_packet'],
    request: 'ipsec4_perform_request',
    tunnelPrefix: 'in_',
    total: 'ips_total',
    forwarded: 'ips_forward',
    bundled: 'ips_out_bundlesa',
  },
  inet6: {
    forward: 'ip6_forward',
    output: 'ip6_output',
    send: 'ip6_output_send',
    ipsecOutput: ['ipsec6_output', 'ipsec6_common_output', 'ipsec6_process_packet'],
    request: 'ipsec6_perform_request',
    tunnelPrefix: 'in6_',
    total: 'ip6s_total',
    forwarded: 'ip6s_forward',
    bundled: 'ips6_out_bundlesa',
  },
} as const;

const family = (pkt: Packet) => FAMILY[pkt.flow.family];

/** The pfil hook chains (sys/net/pfil.c pfil_run_hooks -> the firewall's check function). */
const PFIL_FRAMES: Readonly<Record<PfilHook, readonly string[]>> = {
  pf: ['pf_check_out', 'pf_test', 'pf_test_rule'],
  ipfw: ['ipfw_check_packet', 'ipfw_chk'],
};

/** The xform's output routine, its software crypto leaves and its callback (xform_*.c, cryptosoft.c). */
const XFORM_FRAMES: Readonly<
  Record<SaProto, { output: string; crypto: readonly string[]; callback: string }>
> = {
  esp: { output: 'esp_output', crypto: ['swcr_encdec', 'swcr_authcompute'], callback: 'esp_output_cb' },
  ah: { output: 'ah_output', crypto: ['swcr_authcompute'], callback: 'ah_output_cb' },
  ipcomp: { output: 'ipcomp_output', crypto: ['swcr_compdec'], callback: 'ipcomp_output_cb' },
};

/**
 * The output path of a forwarding IPsec gateway (IPv4 names; IPv6 takes ip6_* / ipsec6_* / in6_*),
 * as kernel calls on an explicit stack:
 *
 *   ip_forward -> ip_output -> pfil hooks
 *                           -> IPSEC_OUTPUT: ipsec4_output -> ipsec4_common_output -> ipsec4_process_packet
 *                                 -> ipsec4_perform_request(SA) -> xf_output -> crypto_dispatch ... crypto_done
 *                                    -> xf_output_cb -> ipsec_process_done -> next SA of the bundle | ip_output
 *                           -> gif/gre: gif_output -> gif_transmit (nesting check) -> in_gif_output -> ip_output
 *                           -> ng_iface: netgraph nodes -> ng_ether (wire) | ng_ksocket -> udp_output -> ip_output
 *                           -> ether_output -> ... -> the wire
 *
 * Without deferral every arrow is a nested call in one thread (ipsec_output.c's own comment:
 * bundles "put a burden on the kernel stack"). With net.inet.ipsec.use_netisr (D9721) every
 * ipsec4_perform_request, the first one from IPSEC_OUTPUT and each bundled one from
 * ipsec_process_done, is instead queued to the ipsec netisr protocol with a tag holding its
 * arguments (the SA index), source = the SPI, and continued by the netisr thread on a fresh stack.
 */
export class IpsecOutput {
  readonly #env: OutputEnv;
  /** Round-robin source of the `ipsec-deferral-round-robin` variant. */
  #roundRobin = 0;

  constructor(env: OutputEnv) {
    this.#env = env;
  }

  #call(frame: string, run: CallBody = () => undefined): KernelCall {
    return { frame, frameBytes: this.#env.frameBytes(frame), run };
  }

  /** A chain of frames each nested in the previous one, the last running `run`. */
  #nested(frames: readonly [string, ...string[]], run: CallBody): KernelCall {
    return nestedCall(this.#env.frameBytes, frames, run);
  }

  /** ip[6]_input's forwarding branch: ip[6]_forward -> ip[6]_output for the chain's first pass. */
  forward(pkt: Packet, thread: ThreadRef): readonly KernelCall[] {
    const fam = family(pkt);
    this.#env.stats.inc(fam.total);
    this.#env.stats.inc(fam.forwarded);
    return [this.#call(fam.forward, () => [this.ipOutput(pkt, thread, 0)])];
  }

  /** One ip[6]_output pass starting at chain index `index`. */
  ipOutput(pkt: Packet, thread: ThreadRef, index: number): KernelCall {
    const pass = passAt(this.#env.chain, index);
    const fam = family(pkt);
    return this.#call(fam.output, () => {
      const calls = pass.hooks.map((hook) =>
        this.#nested(['pfil_run_hooks', ...PFIL_FRAMES[hook]], () => undefined),
      );
      const hop = pass.hop;
      switch (hop.kind) {
        case 'bundle': {
          const first = pass.nextIndex - hop.sas.length;
          calls.push(this.#nested(fam.ipsecOutput, () => this.#request(pkt, thread, first)));
          break;
        }
        case 'tunnel':
          calls.push(this.#tunnel(pkt, thread, hop.type, hop.unit, pass.nextIndex));
          break;
        case 'netgraph':
          calls.push(
            this.#call(fam.send, () => [
              netgraphOutput(
                this.#env.netgraph,
                pkt,
                thread,
                hop.nodes,
                hop.terminal
                  ? { kind: 'ether', wire: (t) => [this.#wire(['ether_output_frame'], pkt, t)] }
                  : { kind: 'ksocket', ipOutput: (t) => this.ipOutput(pkt, t, pass.nextIndex) },
              ),
            ]),
          );
          break;
        case 'wire':
          calls.push(
            this.#call(fam.send, () => [this.#wire(['ether_output', 'ether_output_frame'], pkt, thread)]),
          );
          break;
      }
      return calls;
    });
  }

  /** ipsec4_perform_request for the SA at `index`: in this thread, or deferred (D9721). */
  #request(pkt: Packet, thread: ThreadRef, index: number): readonly KernelCall[] {
    const useNetisr = this.#env.useNetisr && !this.#env.variants.has('ipsec-no-netisr-deferral');
    return useNetisr ? [this.#defer(pkt, thread, index)] : [this.#performRequest(pkt, thread, index)];
  }

  #sa(index: number): SaElement {
    const el = this.#env.chain[index];
    if (el?.kind !== 'sa') assert(false, `D9721: chain index ${index} resumed as an SA request is not an SA`);
    return el;
  }

  /**
   * D9721 deferral: the arguments go into an m_tag, the packet is queued to the ipsec protocol
   * (netisr_queue_src, always queued, N-7) with the SPI as source. A full queue frees the packet
   * and its tags and counts QDrops; nothing pushes back on the producer.
   */
  #defer(pkt: Packet, thread: ThreadRef, index: number): KernelCall {
    const { mbufs, variants, netisr } = this.#env;
    mbufs.attachTag(pkt.id, 'ipsec-deferral', thread.cpu);
    mbufs.setResume(pkt.id, index);
    const source = variants.has('ipsec-deferral-round-robin') ? this.#roundRobin++ : this.#sa(index).spi;
    const leak = variants.has('ipsec-tag-leaked-on-enqueue-failure') ? 'ipsec-deferral' : undefined;
    return netisr.dispatch('ipsec', pkt, thread, {
      source,
      deferredOnly: true,
      onDropped: () => mbufs.freem(pkt.id, thread.cpu, leak),
    });
  }

  /** The ipsec netisr protocol's handler: read and free the tag, apply the SA it names. */
  deferredHandler(pkt: Packet, thread: ThreadRef): readonly KernelCall[] {
    const { mbufs } = this.#env;
    const index = mbufs.resumeIndex(pkt.id);
    const tagged = mbufs.deleteTag(pkt.id, 'ipsec-deferral', thread.cpu);
    if (!tagged || index === undefined)
      assert(false, `D9721: packet ${pkt.id} reached the ipsec handler without its tag`);
    return [this.#performRequest(pkt, thread, index)];
  }

  /** ipsec4_perform_request -> xf_output -> synchronous software crypto -> callback -> ipsec_process_done. */
  #performRequest(pkt: Packet, thread: ThreadRef, index: number): KernelCall {
    const sa = this.#sa(index);
    const xform = XFORM_FRAMES[sa.proto];
    const done = this.#call('ipsec_process_done', () => this.#processDone(pkt, thread, index));
    const callback = this.#nested(['crypto_done', xform.callback], () => [done]);
    const swcr = this.#call('swcr_process', () => [...xform.crypto.map((f) => this.#call(f)), callback]);
    this.#env.stats.inc(`${sa.proto}s_output`);
    return this.#nested([family(pkt).request, xform.output, 'crypto_dispatch', 'crypto_invoke'], () => [
      swcr,
    ]);
  }

  /** ipsec_process_done: record the transform (IPSEC_OUT_DONE tag), then the next SA or ip_output. */
  #processDone(pkt: Packet, thread: ThreadRef, index: number): readonly KernelCall[] {
    this.#env.mbufs.attachTag(pkt.id, 'ipsec-out-done', thread.cpu);
    if (this.#env.chain[index + 1]?.kind === 'sa') {
      this.#env.stats.inc(family(pkt).bundled);
      return this.#request(pkt, thread, index + 1);
    }
    return [this.ipOutput(pkt, thread, index + 1)];
  }

  /** if_output of a tunnel: <type>_output -> <type>_transmit (nesting check) -> in_<type>_output. */
  #tunnel(pkt: Packet, thread: ThreadRef, type: TunnelType, unit: number, next: number): KernelCall {
    const { mbufs, stats, trace, clock, maxNesting } = this.#env;
    const ifp = { type, unit };
    const fam = family(pkt);
    return this.#nested([fam.send, `${type}_output`, `${type}_transmit`], () => {
      const result = checkTunnelNesting('freebsd', mbufs.tunnels(pkt.id), ifp, maxNesting[type]);
      if (!result.verdict.ok) {
        // EIO: the packet is freed and the tunnel's IFCOUNTER_OERRORS grows.
        const counter: CounterName = `${type}${unit}.oerrors`;
        stats.inc(counter);
        trace.record({
          kind: 'drop',
          atNs: clock.nowNs,
          pkt: pkt.id,
          flow: pkt.flow.id,
          where: 'tunnel',
          reason: `${result.verdict.reason} (nesting ${result.verdict.count} > ${maxNesting[type]}, ${result.verdict.errno})`,
          counter,
          cpu: thread.cpu,
        });
        mbufs.freem(pkt.id, thread.cpu);
        return undefined;
      }
      mbufs.passTunnel(pkt.id, ifp, thread.cpu, result.tagAdded);
      // The outer header has the packet's family here: in_gif_output / in6_gif_output.
      return [this.#call(`${fam.tunnelPrefix}${type}_output`, () => [this.ipOutput(pkt, thread, next)])];
    });
  }

  /**
   * The Ethernet driver's transmit path from `via` (ether_output, or ether_output_frame for
   * ng_ether's lower hook); the frame leaves and its mbuf and tags are freed.
   */
  #wire(via: readonly [string, ...string[]], pkt: Packet, thread: ThreadRef): KernelCall {
    return this.#nested([...via, 'iflib_if_transmit', 'iflib_encap'], () => {
      const { trace, clock, mbufs, stats } = this.#env;
      stats.inc('ifi_opackets');
      trace.record({
        kind: 'deliver',
        atNs: clock.nowNs,
        pkt: pkt.id,
        flow: pkt.flow.id,
        seq: pkt.seq,
        cpu: thread.cpu,
        thread: thread.id,
        layer: 'wire',
      });
      mbufs.freem(pkt.id, thread.cpu);
      return undefined;
    });
  }
}
