/**
 * Kernel stack frame sizes on the receive path, in bytes. The values are representative amd64
 * frame sizes (locals + saved registers + return address); what the stack properties test is the
 * structure of the nesting, and every value can be overridden per run.
 */
export const DEFAULT_FRAME_BYTES: Readonly<Record<string, number>> = {
  ithread_loop: 256,
  ixgbe_rxeof: 320,
  netisr_dispatch_src: 128,
  netisr_hybrid: 0,
  swi_net: 192,
  ether_input: 160,
  ether_nh_input: 96,
  ether_demux: 144,
  ip_input: 288,
  ip6_input: 320,
  ip_direct_input: 96,
  ip6_direct_input: 96,
  ip_reass: 224,
  frag6_input: 240,
  udp_input: 272,
  tcp_input: 608,
  rip_input: 176,
};

export const UNKNOWN_FRAME_BYTES = 128;

/**
 * The frame sizes of one run. Every packet asks for the same few frames, so each answer is kept
 * (a string-keyed lookup that misses walks the prototype chain of both tables first).
 */
export function frameBytesLookup(
  overrides: Readonly<Record<string, number>> = {},
): (frame: string) => number {
  const known = new Map<string, number>();
  return (frame) => {
    let bytes = known.get(frame);
    if (bytes === undefined) {
      bytes = overrides[frame] ?? DEFAULT_FRAME_BYTES[frame] ?? UNKNOWN_FRAME_BYTES;
      known.set(frame, bytes);
    }
    return bytes;
  };
}
