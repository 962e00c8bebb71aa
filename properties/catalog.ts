/**
 * Every property the fuzz command runs, by name and one-line summary, in report order: what the
 * command's main thread needs (`--property` names, `--help`) without loading the checkers, which
 * only its workers run (the checkers' modules were about half the main thread's start). Each
 * checker's spec takes its summary from here; properties/index.ts lists the specs in this order,
 * and catalog.test.ts holds the two together.
 */
const CATALOG: readonly (readonly [name: string, summary: string])[] = [
  ['flow-order', 'packets of one flow are handled and delivered in arrival order, under any schedule'],
  [
    'no-drop-below-limit',
    'queues drop only at qlimit, every drop names one counter and is counted, nothing lost or handled twice',
  ],
  [
    'counter-consistency',
    'netstat -Q identities (incl. the in-flight batch) hold at every snapshot and agree with the trace',
  ],
  ['liveness', 'runs end quiescent with every queue empty and every workstream idle'],
  ['policy-conformance', 'the policy answers every packet with a valid placement, in time'],
  ['stack-depth', "every thread's deepest stack stays within KSTACK_PAGES x PAGE_SIZE"],
  ['buffer-balance', 'every allocated mbuf and m_tag is freed exactly once; none left at a quiescent end'],
  [
    'reassembly-cpu',
    "every fragment is held, and its datagram reassembled, on the CPU of the fragment's 2-tuple bucket",
  ],
  ['datagram-intact', 'a reassembled datagram is one sender datagram, byte for byte, delivered at most once'],
  [
    'reassembly-continuation',
    'a reassembled datagram is rehashed and handled on the CPU of its full-tuple bucket',
  ],
  [
    'fragment-flow-order',
    'fragments and whole datagrams of one non-TCP flow reach ip_input in arrival order',
  ],
  [
    'reassembly-bounded',
    'reassembly memory stays within its limits, each fragment costs bounded work, nothing is held forever',
  ],
  [
    'linux-flow-order',
    'RPS/RFS never splits a flow over two backlogs; packets reach ip_rcv and each socket reader in order',
  ],
  [
    'linux-no-drop-below-limit',
    'backlogs drop only past netdev_max_backlog (or the flow limit), UDP only past sk_rcvbuf, every drop counted once',
  ],
  [
    'linux-resource-balance',
    'every skb freed once, deferred ones on their allocating CPU; defer lists bounded, kicked and drained',
  ],
  [
    'linux-napi-budget',
    'no NAPI poll exceeds its weight, no net_rx_action its budget or time, time_squeeze counts exactly the early exits',
  ],
  [
    'linux-rps-ipi',
    'an RPS IPI owed to another CPU goes out when process_backlog starts, at the latest when net_rx_action ends',
  ],
  ['linux-kernel-version', 'the trace keeps the versioned rules of the kernel its first event names'],
];

/** The property names, in report order. */
export const PROPERTY_NAMES: readonly string[] = CATALOG.map(([name]) => name);

/** Each property's name and summary, in report order. */
export const PROPERTY_SUMMARIES: readonly { readonly name: string; readonly summary: string }[] = CATALOG.map(
  ([name, summary]) => ({ name, summary }),
);

/** A catalogued property's summary; a checker not in the catalog is a programming error. */
export function summaryOf(name: string): string {
  const entry = CATALOG.find(([n]) => n === name);
  if (entry === undefined) throw new Error(`properties/catalog.ts: no property ${JSON.stringify(name)}`);
  return entry[1];
}
