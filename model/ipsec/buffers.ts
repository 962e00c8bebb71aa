import type { CpuId, PacketId } from '../brand.ts';
import type { VirtualClock } from '../sim/clock.ts';
import type { BufferKind, TraceRecorder } from '../trace.ts';

/**
 * mbufs and m_tags on the output path, as `alloc` / `free` trace events. The model only records;
 * whether every buffer is freed exactly once is the resource-balance checker's question (INV-FREE),
 * so a variant that leaks or double-frees shows up as a violation, not an exception.
 */
export class Buffers {
  readonly #trace: TraceRecorder;
  readonly #clock: VirtualClock;
  readonly #allocCpu = new Map<number, CpuId>();
  #next = 0;

  constructor(trace: TraceRecorder, clock: VirtualClock) {
    this.#trace = trace;
    this.#clock = clock;
  }

  /** m_gethdr / m_tag_get: answers the buffer id. */
  alloc(what: BufferKind, cpu: CpuId, pkt: PacketId | undefined): number {
    const buf = this.#next++;
    this.#allocCpu.set(buf, cpu);
    this.#trace.record({ kind: 'alloc', atNs: this.#clock.nowNs, buf, what, cpu, pkt });
    return buf;
  }

  /** m_free / m_tag_free on `cpu`. */
  free(buf: number, what: BufferKind, cpu: CpuId, pkt: PacketId | undefined): void {
    const allocCpu = this.#allocCpu.get(buf) ?? cpu;
    this.#allocCpu.delete(buf);
    this.#trace.record({ kind: 'free', atNs: this.#clock.nowNs, buf, what, cpu, allocCpu, pkt });
  }
}
