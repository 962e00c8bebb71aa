import {
  isLinuxKernel,
  LINUX_KERNELS,
  LINUX_VERSIONED_RULES,
  type LinuxKernel,
  type LinuxRelease,
  type LinuxRule,
  linuxRules,
  linuxRulesAt,
} from './linux/versions.ts';
import { err, ok, type Result } from './result.ts';

/**
 * The FreeBSD versions the model speaks for. `freebsd-14` is stable/14 GENERIC, and with
 * `options RSS` its current protocol table; `freebsd-rss-2015` keeps the protocol table of the
 * D9721 review era (the RSS blog's netstat -Q, seed 003) for the seed fixtures.
 */
export const FREEBSD_KERNELS = {
  'freebsd-14': { release: '14', note: 'stable/14: GENERIC, and with options RSS the current ip6_input.c' },
  'freebsd-rss-2015': { release: '11-CURRENT (2015)', note: 'the review-era RSS protocol table (ip6 FLOW)' },
} as const;

export type FreebsdKernel = keyof typeof FREEBSD_KERNELS;
export const DEFAULT_FREEBSD_KERNEL: FreebsdKernel = 'freebsd-14';

export function isFreebsdKernel(name: string): name is FreebsdKernel {
  return Object.hasOwn(FREEBSD_KERNELS, name);
}

/** The FreeBSD rules that differ between the modelled versions. */
export const FREEBSD_VERSIONED_RULES = {
  'rss-ip6-cpu-hybrid': {
    source:
      'sys/netinet6/ip6_input.c ip6_nh / ip6_direct_nh: under RSS, NETISR_POLICY_CPU with rss_soft_m2cpuid_v6 and NETISR_DISPATCH_HYBRID; the 2015 table had ip6 FLOW and no ip6_direct (the release that changed it is not established here)',
    kernels: ['freebsd-14'],
  },
} as const satisfies Record<string, { readonly source: string; readonly kernels: readonly FreebsdKernel[] }>;

export type FreebsdRule = keyof typeof FREEBSD_VERSIONED_RULES;

export function freebsdRule(kernel: FreebsdKernel, rule: FreebsdRule): boolean {
  return (FREEBSD_VERSIONED_RULES[rule].kernels as readonly FreebsdKernel[]).includes(kernel);
}

/** The versioned FreeBSD rules a version follows, by name (for the trace's `kernel` event). */
export function freebsdRuleNames(kernel: FreebsdKernel): FreebsdRule[] {
  return (Object.keys(FREEBSD_VERSIONED_RULES) as FreebsdRule[]).filter((r) => freebsdRule(kernel, r));
}

/** The versioned Linux rules a version follows, by name (for the trace's `kernel` event). */
export function linuxRuleNames(kernel: LinuxKernel): LinuxRule[] {
  const rules = linuxRules(kernel);
  return (Object.keys(rules) as LinuxRule[]).filter((r) => rules[r]);
}

/** Every kernel the model speaks for, by name. */
export type KernelName = LinuxKernel | FreebsdKernel;

export function isKernelName(name: string): name is KernelName {
  return isLinuxKernel(name) || isFreebsdKernel(name);
}

/** What the closest-version pick answers: the modelled kernel and how the running one differs. */
export interface KernelPick {
  readonly kernel: KernelName;
  /** The running release as read from `uname -r` (e.g. `6.8`, `14.1-RELEASE`). */
  readonly running: string;
  /** Versioned rules where the running release and the picked model disagree. */
  readonly differs: readonly string[];
}

const LINUX_RELEASE = /^(\d+)\.(\d+)/;
const FREEBSD_RELEASE = /^(\d+)\.(\d+)-(RELEASE|STABLE|CURRENT|PRERELEASE|RC\d*|BETA\d*|ALPHA\d*)/;

function pickLinux(release: LinuxRelease): KernelPick {
  const want = linuxRulesAt(release);
  const rules = Object.keys(LINUX_VERSIONED_RULES) as LinuxRule[];
  const ranked = (Object.keys(LINUX_KERNELS) as LinuxKernel[]).map((kernel) => {
    const have = linuxRules(kernel);
    return { kernel, differs: rules.filter((r) => have[r] !== want[r]) };
  });
  // LINUX_KERNELS lists the newest first and only a strictly closer model replaces the pick, so a
  // tie goes to the newer model.
  const best = ranked.reduce((pick, r) => (r.differs.length < pick.differs.length ? r : pick));
  return { kernel: best.kernel, running: `${release.major}.${release.minor}`, differs: best.differs };
}

/**
 * The modelled kernel closest to a running one, from its `uname -r`: for Linux the version whose
 * versioned rules agree with the running release on the most rules (a tie goes to the newer),
 * naming the rules that still differ; for FreeBSD (`14.1-RELEASE-p5`) `freebsd-14`, with a
 * note when the major release is another. Answers a sentence for a string of neither form.
 */
export function closestModelledKernel(unameR: string): Result<KernelPick, string> {
  const text = unameR.trim();
  const bsd = FREEBSD_RELEASE.exec(text);
  if (bsd !== null) {
    const major = Number(bsd[1]);
    const running = `${bsd[1]}.${bsd[2]}-${bsd[3]}`;
    const differs = major === 14 ? [] : [`release ${major}: only stable/14 is modelled`];
    return ok({ kernel: DEFAULT_FREEBSD_KERNEL, running, differs });
  }
  const linux = LINUX_RELEASE.exec(text);
  if (linux === null)
    return err(`uname -r '${unameR}': not a Linux (6.8.0-45-generic) or FreeBSD (14.1-RELEASE) release`);
  const major = Number(linux[1]);
  const minor = Number(linux[2]);
  if (major < 2 || major > 99) return err(`uname -r '${unameR}': Linux major release ${major} is not one`);
  return ok(pickLinux({ major, minor }));
}
