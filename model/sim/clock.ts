import { assert, type VirtualNs, virtualNs } from '../brand.ts';

/**
 * The one virtual clock of a run. Time only moves when the simulator moves it, so a
 * 30 s reassembly timeout or a 10 s ARP expiry costs no wall time and replays exactly.
 * Components never read a wall clock; they take `now` and answer their next deadline.
 */
export class VirtualClock {
  #nowNs: VirtualNs = virtualNs(0);

  get nowNs(): VirtualNs {
    return this.#nowNs;
  }

  /** Moves time forward to `atNs`; time never runs backwards. */
  advanceTo(atNs: VirtualNs): void {
    assert(Number.isSafeInteger(atNs), 'sim: virtual time must be an integer number of ns');
    if (!(atNs >= this.#nowNs)) assert(false, `sim: clock cannot go back from ${this.#nowNs} to ${atNs}`);
    this.#nowNs = atNs;
  }

  /** Moves time forward by `deltaNs` (>= 0). */
  advanceBy(deltaNs: number): void {
    this.advanceTo(virtualNs(this.#nowNs + deltaNs));
  }
}
