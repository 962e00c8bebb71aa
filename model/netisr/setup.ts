import type { CpuId, ThreadId } from '../brand.ts';
import type { Packet } from '../packet.ts';
import type { DispatchPolicy } from '../policy.ts';
import type { BucketTable } from '../rss/buckets.ts';
import type { VirtualClock } from '../sim/clock.ts';
import type { KernelCall } from '../sim/kthread.ts';
import type { TraceRecorder } from '../trace.ts';
import type { ModelVariant } from '../variants.ts';
import type { NetisrProtoName } from '../vocab.ts';
import type { ProtocolRegistration } from './protocols.ts';

/** The types netisr is built from and called with, apart from the layer itself (netisr.ts). */

/** The thread making a call: its identity and CPU. */
export interface ThreadRef {
  readonly id: ThreadId;
  readonly cpu: CpuId;
}

/** A protocol handler (nh_handler): the calls it makes for one packet. */
export type ProtocolHandler = (pkt: Packet, thread: ThreadRef) => KernelCall | readonly KernelCall[];

export interface NetisrSetup {
  readonly cpuCount: number;
  /** nws_array: CPUs with a netisr thread, in creation order. */
  readonly workstreamCpus: readonly CpuId[];
  /** Registrations with their effective qlimits, sorted by protocol number. */
  readonly protocols: readonly { readonly reg: ProtocolRegistration; readonly qlimitPackets: number }[];
  readonly buckets: BucketTable;
  readonly policy: DispatchPolicy;
  readonly clock: VirtualClock;
  readonly trace: TraceRecorder;
  readonly variants: ReadonlySet<ModelVariant>;
  readonly frameBytes: (frame: string) => number;
}

export interface DispatchOptions {
  /** netisr `source` (S-3: the SPI on IPsec re-injection). */
  readonly source?: number;
  /** netisr_queue_src: always queue on the chosen CPU (N-7). */
  readonly deferredOnly?: boolean;
  /**
   * Told when netisr freed the packet instead of taking it (queue full, N-9, or no placement):
   * the caller's ENOBUFS, so it can release what it attached to the mbuf (IPsec's deferral tag).
   */
  readonly onDropped?: () => void;
}

/** What the per-packet calls (calls.ts) need of the netisr layer. */
export interface NetisrCalls {
  dispatchNow(
    proto: NetisrProtoName,
    pkt: Packet,
    thread: ThreadRef,
    options: DispatchOptions,
  ): KernelCall | undefined;
  handlerCall(proto: NetisrProtoName, pkt: Packet, thread: ThreadRef): KernelCall;
}
