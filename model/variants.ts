/**
 * Deliberately broken model variants: the pre-fix behaviours of real bugs and the broken
 * mechanisms that give each property its teeth. The reference model runs with none; a variant
 * switches one behaviour in exactly one place, named here so tests and regressions cite it.
 */
export const MODEL_VARIANTS = {
  'netisr-drops-one-early': 'netisr enqueue refuses at qlimit - 1 instead of qlimit (breaks N-8)',
  'netisr-lifo-dequeue': 'the netisr thread handles its batch newest first (breaks N-17/N-20 FIFO)',
  'netisr-qdrops-not-counted':
    'a netisr queue drop frees the packet without bumping QDrops (breaks N-9, I-3)',
  'netisr-thread-stalls':
    'a workstream with a queued packet is never scheduled (breaks liveness, N-8 wakeup)',
  'ipsec-no-netisr-deferral':
    'IPsec output recurses in the caller whatever net.inet.ipsec.use_netisr says (the kernel before D9721; breaks INV-DEPTH)',
  'ipsec-use-netisr-default-off':
    'net.inet.ipsec.use_netisr defaults to off whatever KSTACK_PAGES is (breaks the D9721 default; INV-DEPTH on i386)',
  'ipsec-tag-leaked-on-enqueue-failure':
    'a refused ipsec netisr enqueue frees the mbuf but not the deferral tag (breaks INV-FREE)',
  'ipsec-deferral-round-robin':
    'deferred IPsec output is spread over the workstreams packet by packet instead of by SPI (breaks N-20 flow order)',
  'linux-napi-weight-ignored':
    'a device NAPI poll drains its ring whatever its weight (breaks N3: work <= weight)',
  'linux-napi-budget-ignored': 'net_rx_action polls on after netdev_budget is spent (breaks N1)',
  'linux-napi-repoll-head':
    'a NAPI that used its full weight goes back to the head of the list and is polled again at once (breaks N4 fairness)',
  'linux-napi-squeeze-uncounted':
    'net_rx_action leaving on the time limit does not bump time_squeeze (breaks N1/N2 counting)',
  'linux-napi-lost-schedule':
    'napi_schedule finding SCHED still held does nothing: no NAPIF_STATE_MISSED (before 39e6c8208d7b "net: solve a NAPI race")',
  'linux-backlog-drops-early': 'enqueue_to_backlog refuses at qlen >= netdev_max_backlog / 2 (breaks R7)',
  'linux-rfs-migrate-immediately':
    'RFS moves a flow to the new CPU without waiting for input_queue_head to pass last_qtail (breaks R4)',
  'linux-rfs-qtail-before-enqueue':
    "RFS writes last_qtail = tail + 1 when it picks the CPU, before enqueue_to_backlog admits the packet, and a move keeps it instead of the new CPU's input_queue_head (an earlier reading of this model; breaks R5)",
  'linux-rps-ipi-at-end':
    'RPS IPIs go out only at the end of net_rx_action, never when process_backlog starts, and napi_schedule_rps raises NET_RX_SOFTIRQ inside net_rx_action too (an earlier reading of this model; breaks R10)',
  'linux-udp-defer-every-version':
    'UDP recvmsg frees through skb_attempt_defer_free on every version, not only from 6.18 (6471658dc66c; an earlier reading of this model)',
  'linux-udp-inerrors-uncounted':
    'a UDP rcvbuf drop bumps RcvbufErrors and sk_drops but not InErrors (breaks U5)',
  'linux-udp-drops-below-rcvbuf':
    'UDP refuses an skb once rmem + truesize passes half of sk_rcvbuf (breaks U2)',
  'linux-skb-defer-to-self':
    'skb_attempt_defer_free queues an skb on the current CPU when it allocated it (68822bdf76 v1; breaks D2)',
  'linux-rfs-records-unconnected':
    'RFS records the flow of a UDP socket that is bound but not connected (the kernel records only TCP_ESTABLISHED sockets)',
  'linux-skb-defer-no-kick':
    'a defer list reaching half of skb_defer_max sends no IPI, so an idle CPU never drains it (breaks D4)',
  'linux-skb-defer-unbounded':
    'no skb_defer_max cap; the kick fires at 128 (68822bdf76 before 39564c3fdc66; breaks D3)',
  'linux-skb-defer-kick-after-increment':
    'the kick test reads defer_count after the increment, so skb_defer_max = 1 never kicks (before "net: avoid strange behavior with skb_defer_max == 1")',
  'linux-skb-defer-keeps-secpath':
    'an skb parked on a defer list keeps its secpath (xfrm state reference) (before "net: drop secpath extension before skb deferral free")',
  'linux-skb-defer-not-drained': 'net_rx_action never calls skb_defer_free_flush (breaks D6)',
  'nic-wrong-rx-ring':
    'the NIC indexes its redirection table with the high bits of the hash, so rings disagree with the bucket table (the ixgbe bug in the RSS blog; breaks R-6, bucket-affinity)',
  'reass-no-reinject':
    'an RSS kernel hands a reassembled datagram up inline on the CPU of its fragments instead of re-injecting it through ip_direct (breaks F-27, reassembly-continuation)',
  'rss-udp-4tuple-default':
    'UDP is hashed over the 4-tuple whatever net.inet.rss.udp_4tuple says (drivers before IPv4+UDP hashing was turned off; breaks R-11, fragment-flow-order)',
  'reass-key-without-proto':
    'the IPv4 reassembly queue match ignores ip_p, so datagrams of two protocols with one id merge (breaks F-2, datagram-intact)',
  'frag6-overlap-trim':
    'IPv6 reassembly trims overlapping fragments as IPv4 does instead of dropping the datagram (before RFC 5722; breaks datagram-intact)',
  'reass-no-fragsperpacket-limit':
    'an incomplete reassembly queue keeps any number of fragments (before the FragmentSmack fix, SA-18:10.ip; breaks F-17, reassembly-bounded)',
  'rss-soft-hash-ignores-fragment':
    'the software RSS hash forgets is_frag, so a first fragment (it carries the ports) is hashed over the 4-tuple (breaks R-14, reassembly-cpu)',
} as const;

export type ModelVariant = keyof typeof MODEL_VARIANTS;
