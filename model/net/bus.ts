import { assert, type VirtualNs } from '../brand.ts';
import type { EtherFrame } from './wire.ts';

/** One frame as the bus file holds it: when it was written and by whom. */
export interface CapturedFrame {
  readonly atNs: VirtualNs;
  readonly frame: EtherFrame;
}

/** What a bus needs from an attached interface. */
export interface BusPort {
  readonly portId: number;
  deliver(frame: EtherFrame): void;
}

/**
 * A shmif bus (sys/rump/net/lib/libshmif): a shared broadcast segment. Every frame written is
 * seen by every other attached interface, and the bus file keeps every frame, which is what
 * shmif_dumpbus | tcpdump reads back. The capture is the bus's trace.
 */
export class ShmifBus {
  readonly name: string;
  readonly #ports = new Map<number, BusPort>();
  readonly #capture: CapturedFrame[] = [];

  constructor(name: string) {
    this.name = name;
  }

  attach(port: BusPort): void {
    if (this.#ports.has(port.portId))
      assert(false, `shmif: port ${port.portId} attached twice to ${this.name}`);
    this.#ports.set(port.portId, port);
  }

  detach(portId: number): void {
    this.#ports.delete(portId);
  }

  get capture(): readonly CapturedFrame[] {
    return this.#capture;
  }

  /** Records the frame and returns the ports that will see it (all but the sender). */
  write(fromPortId: number, frame: EtherFrame, atNs: VirtualNs): BusPort[] {
    const last = this.#capture.at(-1);
    if (last !== undefined && !(last.atNs <= atNs))
      assert(false, `shmif: ${this.name} captured a frame out of time order`);
    this.#capture.push({ atNs, frame });
    return [...this.#ports.values()].filter((p) => p.portId !== fromPortId);
  }
}
