/**
 * Kernel stack frame sizes on the IPsec output path, in bytes (locals + saved registers + return
 * address), amd64-like. They are representative, not measured: what the stack properties test is
 * the structure of the recursion (ip_output -> ipsec -> ip_output, tunnels, netgraph), and every
 * value can be overridden per run (`frameBytes` in the host config). With these defaults a
 * forwarded packet through n bundled ESP SAs without deferral peaks at 4768 + 1168 n bytes on the
 * interrupt thread (PCB and ithread frames included): 2 SAs fit two pages (8 KiB, i386), 3 do not,
 * and 9 fit four pages (16 KiB, amd64) -- the picture of the D9721 review (seed 000): i386
 * panics, amd64 "seems enough". With deferral the deepest thread stays at 4256 bytes whatever n.
 */
export const IPSEC_FRAME_BYTES: Readonly<Record<string, number>> = {
  // What sits below every call chain of a kernel thread: the PCB with the FPU save area at the top
  // of the kernel stack (cpu_thread_alloc), fork_exit, and the interrupt thread loop.
  kstack_pcb: 1024,
  fork_exit: 64,
  intr_event_execute_handlers: 96,
  // A UDP sendto(2) from a user thread, down to ip_output.
  syscall: 320,
  sys_sendto: 64,
  sendit: 96,
  kern_sendit: 160,
  sosend_dgram: 192,
  udp_send: 128,
  udp_output: 352,
  // A forwarded packet: the receive chain of model/host/frames.ts, then ip_forward.
  ip_forward: 224,
  // One ip_output pass and its way out to the driver (ip_output_send -> if_output).
  ip_output: 400,
  ip_output_send: 96,
  // The IPv6 path (ip6_forward.c, ip6_output.c).
  ip6_forward: 256,
  ip6_output: 512,
  ip6_output_send: 96,
  ether_output: 288,
  ether_output_frame: 64,
  iflib_if_transmit: 192,
  iflib_encap: 320,
  // IPSEC_OUTPUT and one SA (sys/netipsec/ipsec_output.c, xform_*.c, opencrypto).
  ipsec4_output: 48,
  ipsec4_common_output: 96,
  ipsec4_process_packet: 32,
  ipsec4_perform_request: 224,
  ipsec6_output: 48,
  ipsec6_common_output: 112,
  ipsec6_process_packet: 32,
  ipsec6_perform_request: 240,
  esp_output: 320,
  ah_output: 256,
  ipcomp_output: 224,
  crypto_dispatch: 64,
  crypto_invoke: 96,
  crypto_done: 64,
  swcr_process: 128,
  swcr_encdec: 448,
  swcr_authcompute: 320,
  swcr_compdec: 256,
  esp_output_cb: 128,
  ah_output_cb: 128,
  ipcomp_output_cb: 112,
  ipsec_process_done: 144,
  // Inbound IPsec (sys/netipsec/ipsec_input.c, xform_*.c).
  ipsec4_input: 64,
  ipsec_common_input: 176,
  esp_input: 288,
  ah_input: 256,
  ipcomp_input: 224,
  esp_input_cb: 160,
  ah_input_cb: 160,
  ipcomp_input_cb: 128,
  ipsec4_common_input_cb: 224,
  // Inbound tunnels (sys/netinet/ip_encap.c encap4_input, in_gif.c, if_gif.c, ip_gre.c, if_gre.c):
  // the encap table lookup under the net epoch, the outer header checks (ECN copy, GRE flags and
  // key), the bpf tap and counters before netisr_dispatch.
  encap4_input: 176,
  in_gif_input: 288,
  gif_input: 256,
  in_gre_input: 304,
  gre_input: 320,
  // The nh_handler of the D9721 ipsec netisr protocol (Netisr names handler frames `<proto>_input`).
  ipsec_input: 96,
  // Tunnels (sys/net/if_gif.c, sys/netinet/in_gif.c, sys/net/if_gre.c, sys/netinet/ip_gre.c).
  gif_output: 112,
  gif_transmit: 192,
  in_gif_output: 256,
  in6_gif_output: 272,
  gre_output: 112,
  gre_transmit: 192,
  in_gre_output: 240,
  in6_gre_output: 256,
  // pfil hooks (sys/net/pfil.c, pf, ipfw).
  pfil_run_hooks: 96,
  pf_check_out: 64,
  pf_test: 640,
  pf_test_rule: 512,
  ipfw_check_packet: 96,
  ipfw_chk: 704,
  // netgraph (sys/netgraph/ng_base.c, ng_iface.c, ng_ether.c, ng_ksocket.c and node types).
  ng_iface_output: 128,
  ng_iface_send: 96,
  ng_snd_item: 128,
  ng_apply_item: 96,
  ng_ppp_rcvdata: 160,
  ng_pppoe_rcvdata: 176,
  ng_tee_rcvdata: 96,
  ng_mppc_rcvdata: 224,
  ng_ether_rcv_lower: 128,
  ng_ksocket_rcvdata: 160,
  // The netgraph worker that applies queued items (ng_base.c ngthread).
  ngthread: 128,
};

/**
 * The base frames of each kind of thread the gateway runs, outermost first (KernelStack `base`).
 * Interrupt and netisr SWI threads are both ithreads (sys/kern/kern_intr.c ithread_loop); the
 * netgraph worker is a plain kthread (ng_base.c ngthread).
 */
export const THREAD_BASE_FRAMES = {
  ithread: ['kstack_pcb', 'fork_exit', 'ithread_loop', 'intr_event_execute_handlers'],
  swi: ['kstack_pcb', 'fork_exit', 'ithread_loop', 'intr_event_execute_handlers', 'swi_net'],
  ngthread: ['kstack_pcb', 'fork_exit'],
} as const satisfies Record<string, readonly string[]>;

export type ThreadBase = keyof typeof THREAD_BASE_FRAMES;
