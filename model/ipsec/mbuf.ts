import { assert, type CpuId, type PacketId } from '../brand.ts';
import type { TunnelRef } from '../tunnel/nesting.ts';
import type { Buffers } from './buffers.ts';

/** The m_tags the output path attaches (sys/sys/mbuf.h PACKET_TAG_*, MTAG_GIF / MTAG_GRE cookies). */
export type OutputTag = 'ipsec-deferral' | 'ipsec-out-done' | 'tunnel-nesting';

interface AttachedTag {
  readonly buf: number;
  readonly tag: OutputTag;
}

/** What rides on one forwarded mbuf: its buffer id, its tags, the tunnels it passed, where IPsec resumes. */
interface MbufState {
  readonly buf: number;
  readonly tags: AttachedTag[];
  readonly tunnels: TunnelRef[];
  /** Chain index of the SA the deferral tag tells the ipsec handler to apply (D9721's tag args). */
  resumeIndex: number | undefined;
  /** Inbound IPsec layers already stripped off this packet. */
  decapsulated: number;
}

/**
 * The mbufs of the forwarding path and the m_tags chained on them, over the `alloc` / `free` trace
 * events of `Buffers`. m_freem frees the packet and every tag still on it, as the kernel does
 * (m_tag_delete_chain from m_free); m_tag_delete frees one tag. Whether each buffer is freed exactly
 * once is the buffer-balance checker's question (INV-FREE), never asserted here.
 */
export class MbufTable {
  readonly #buffers: Buffers;
  readonly #mbufs = new Map<PacketId, MbufState>();

  constructor(buffers: Buffers) {
    this.#buffers = buffers;
  }

  /** The driver's rx refill: the mbuf the packet arrives in (iflib_rxeof -> m_getcl). */
  receive(pkt: PacketId, cpu: CpuId): void {
    const buf = this.#buffers.alloc('mbuf', cpu, pkt);
    this.#mbufs.set(pkt, { buf, tags: [], tunnels: [], resumeIndex: undefined, decapsulated: 0 });
  }

  /** m_tag_get + m_tag_prepend. */
  attachTag(pkt: PacketId, tag: OutputTag, cpu: CpuId): void {
    const buf = this.#buffers.alloc('tag', cpu, pkt);
    this.#state(pkt).tags.push({ buf, tag });
  }

  /** m_tag_find + m_tag_delete of the newest tag of a kind; answers whether one was there. */
  deleteTag(pkt: PacketId, tag: OutputTag, cpu: CpuId): boolean {
    const tags = this.#state(pkt).tags;
    for (const [at, found] of [...tags.entries()].reverse()) {
      if (found.tag !== tag) continue;
      tags.splice(at, 1);
      this.#buffers.free(found.buf, 'tag', cpu, pkt);
      return true;
    }
    return false;
  }

  /**
   * m_freem: the packet and its tags. `keep` names a tag the caller unlinked before freeing and
   * then lost (the pre-fix error path of a refused deferral): it is never freed.
   */
  freem(pkt: PacketId, cpu: CpuId, keep?: OutputTag): void {
    const state = this.#state(pkt);
    for (const t of state.tags) if (t.tag !== keep) this.#buffers.free(t.buf, 'tag', cpu, pkt);
    this.#buffers.free(state.buf, 'mbuf', cpu, pkt);
    this.#mbufs.delete(pkt);
  }

  /** The tunnels this packet has already been encapsulated by, oldest first (the nesting tags). */
  tunnels(pkt: PacketId): readonly TunnelRef[] {
    return this.#state(pkt).tunnels;
  }

  passTunnel(pkt: PacketId, ifp: TunnelRef, cpu: CpuId, tagAdded: boolean): void {
    this.#state(pkt).tunnels.push(ifp);
    if (tagAdded) this.attachTag(pkt, 'tunnel-nesting', cpu);
  }

  setResume(pkt: PacketId, index: number): void {
    this.#state(pkt).resumeIndex = index;
  }

  resumeIndex(pkt: PacketId): number | undefined {
    return this.#state(pkt).resumeIndex;
  }

  decapsulated(pkt: PacketId): number {
    return this.#state(pkt).decapsulated;
  }

  /** One inbound layer is off (the xform's callback stripped its header). */
  decapsulate(pkt: PacketId): void {
    this.#state(pkt).decapsulated++;
  }

  /** Packets whose mbuf is still held by the model (in a queue, or mid-path). */
  get liveCount(): number {
    return this.#mbufs.size;
  }

  #state(pkt: PacketId): MbufState {
    const state = this.#mbufs.get(pkt);
    if (state === undefined) assert(false, `INV-FREE: packet ${pkt} has no live mbuf`);
    return state;
  }
}
