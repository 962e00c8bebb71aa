/**
 * The Linux releases the model speaks for, and each receive-path rule that differs between them.
 * A rule is on from the release named in `since` (the first release that carries the commit);
 * the model reads the rule set of the configured version, never the machine it runs on.
 */

/** A Linux release as major.minor. */
export interface LinuxRelease {
  readonly major: number;
  readonly minor: number;
}

export interface LinuxRuleSpec {
  readonly since: LinuxRelease;
  /** The commit (or patch subject) that changed the rule, and what it changed. */
  readonly source: string;
  readonly summary: string;
}

/** Every receive-path rule that differs between the modelled Linux versions. */
export const LINUX_VERSIONED_RULES = {
  'rps-input-queue-head-batched': {
    since: { major: 6, minor: 10 },
    source:
      'net/core/dev.c process_backlog; c62fdf5b11ef "net: rps: add rps_input_queue_head_add() helper" (net-next, March 2024)',
    summary:
      'process_backlog adds its work to input_queue_head once per quota or return, not once per packet',
  },
  'rfs-slot-hash32': {
    since: { major: 6, minor: 15 },
    source:
      'net/core/dev.c rfs_slot; f3483c8e1da6 "net: rfs: hash function change" (applied to net-next March 2025)',
    summary: 'the rps_dev_flow slot is hash_32(hash, log), not hash & mask',
  },
  'flow-limit-hash32': {
    since: { major: 6, minor: 16 },
    source:
      'net/core/dev.c skb_flow_limit; c3025e94daa9 "net: rps: change skb_flow_limit() hash function" (net-next after 6.15-rc1, April 2025)',
    summary: 'the flow-limit bucket is hash_32(hash, log_buckets), not hash & (num_buckets - 1)',
  },
  'defer-count-first': {
    since: { major: 6, minor: 18 },
    source:
      'net/core/skbuff.c skb_attempt_defer_free; 844c9db7f7f5 "net: use llist for sd->defer_list" (Networking for v6.18)',
    summary:
      'defer_count is incremented before the skb_defer_max test, refused skbs included, so a list holds at most skb_defer_max - 1 and skb_defer_max = 1 defers nothing',
  },
  'udp-rcvbuf-fits': {
    since: { major: 6, minor: 18 },
    source:
      'net/ipv4/udp.c __udp_enqueue_schedule_skb; 9aaec660b5be "udp: refine __udp_enqueue_schedule_skb() test" (Networking for v6.18), on 5a465a0da13e',
    summary:
      'a datagram is taken only if it fits (rmem + truesize <= sk_rcvbuf) or the queue is empty; before, whenever rmem <= sk_rcvbuf',
  },
  'udp-defer-free': {
    since: { major: 6, minor: 18 },
    source:
      'net/ipv4/udp.c skb_consume_udp; 6471658dc66c "udp: use skb_attempt_defer_free()" (reported against 6.18-rc1)',
    summary:
      'udp recvmsg frees through skb_attempt_defer_free (back to the allocating CPU); before, only TCP defers',
  },
} as const satisfies Record<string, LinuxRuleSpec>;

export type LinuxRule = keyof typeof LINUX_VERSIONED_RULES;
export type LinuxRuleSet = Readonly<Record<LinuxRule, boolean>>;

/** The Linux versions the model speaks for. */
export const LINUX_KERNELS = {
  'linux-6.18': { release: { major: 6, minor: 18 }, note: 'the default: the release these machines run' },
  'linux-6.6': { release: { major: 6, minor: 6 }, note: 'the 6.6 LTS: older behaviour where it differs' },
} as const satisfies Record<string, { readonly release: LinuxRelease; readonly note: string }>;

export type LinuxKernel = keyof typeof LINUX_KERNELS;

/** Fixed, never read from the machine: a run gives the same trace everywhere. */
export const DEFAULT_LINUX_KERNEL: LinuxKernel = 'linux-6.18';

export function isLinuxKernel(name: string): name is LinuxKernel {
  return Object.hasOwn(LINUX_KERNELS, name);
}

const atLeast = (r: LinuxRelease, since: LinuxRelease) =>
  r.major > since.major || (r.major === since.major && r.minor >= since.minor);

/** Which versioned rules hold at a release. */
export function linuxRulesAt(release: LinuxRelease): LinuxRuleSet {
  const out: Partial<Record<LinuxRule, boolean>> = {};
  for (const [name, spec] of Object.entries(LINUX_VERSIONED_RULES))
    out[name as LinuxRule] = atLeast(release, spec.since);
  return out as LinuxRuleSet;
}

/** Each modelled version's rule set, worked out once (frozen: every run of the version shares it). */
const RULES_BY_KERNEL = new Map<LinuxKernel, LinuxRuleSet>();

/** The rule set of a modelled version. */
export function linuxRules(kernel: LinuxKernel): LinuxRuleSet {
  let rules = RULES_BY_KERNEL.get(kernel);
  if (rules === undefined) {
    rules = Object.freeze(linuxRulesAt(LINUX_KERNELS[kernel].release));
    RULES_BY_KERNEL.set(kernel, rules);
  }
  return rules;
}
