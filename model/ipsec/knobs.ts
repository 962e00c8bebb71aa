import type { KnobSpec, KnobValues } from '../knobs.ts';

/**
 * IPsec output deferral and tunnel nesting knobs. The first two are the sysctls of the D9721
 * review (seed 000); the nesting limits are if_gif.c / if_gre.c. The deferral modelled here is the
 * review's output queue (NETISR_IPSEC); current FreeBSD has no such protocol (S-1).
 */
export const ipsecKnobs = {
  'net.inet.ipsec.use_netisr': {
    // The kernel default is (KSTACK_PAGES < 4); `resolveUseNetisr` applies it when unset.
    default: false,
    unit: 'flag',
    source:
      'D9721 sys/netipsec/ipsec.c ipsec_use_netisr: on by default only when KSTACK_PAGES < 4 (review summary, seed 000)',
    doc: 'queue IPsec output to the ipsec netisr protocol instead of recursing in the caller',
  },
  'net.inet.ipsec.intr_queue_maxlen': {
    default: 256,
    min: 1,
    max: 10240,
    unit: 'packets',
    source: 'D9721 ipsec netisr registration (netstat -Q row "ipsec 11 256 source default", seed 000)',
    doc: 'qlimit of the ipsec netisr queue; above net.isr.maxqlimit is EINVAL (netisr_setqlimit)',
  },
  'net.link.gif.max_nesting': {
    default: 1,
    min: 1,
    max: 16,
    unit: 'tunnels',
    source:
      'sys/net/if_gif.c MAX_GIF_NEST 1 ("we don\'t allow any nestings by default"), gif_transmit -> if_tunnel_check_nesting',
    doc: "SYSCTL_INT without bounds in the kernel; 16 is the model's own cap",
  },
  'net.link.gre.max_nesting': {
    default: 1,
    min: 1,
    max: 16,
    unit: 'tunnels',
    source: 'sys/net/if_gre.c MAX_GRE_NEST, gre_transmit -> if_tunnel_check_nesting',
    doc: "SYSCTL_INT without bounds in the kernel; 16 is the model's own cap",
  },
} as const satisfies Record<string, KnobSpec>;

export type IpsecSysctls = KnobValues<typeof ipsecKnobs>;

/** The KSTACK_PAGES at and above which the review leaves deferral off ("enough without netisr"). */
export const USE_NETISR_KSTACK_PAGES_MIN = 4;

/**
 * The boot default of net.inet.ipsec.use_netisr (D9721): on when KSTACK_PAGES < 4 (i386 has 2),
 * off on amd64 (4). An explicit setting wins.
 */
export function resolveUseNetisr(explicit: boolean | undefined, kstackPages: number): boolean {
  return explicit ?? kstackPages < USE_NETISR_KSTACK_PAGES_MIN;
}
