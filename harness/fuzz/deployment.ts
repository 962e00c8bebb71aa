import { type HostSysctls, hostSysctlKnobs, type KernelFlavour } from '../../model/host/config.ts';
import { type KnobSpec, knobError } from '../../model/knobs.ts';
import type { LinuxSysctls } from '../../model/linux/config.ts';
import { linuxKnobs } from '../../model/linux/knobs.ts';
import { err, ok, type Result } from '../../model/result.ts';
import type { RunCase } from '../arbitraries/run-case.ts';

/** A FreeBSD deployment: the netisr host's flavour and its sysctls (model/host/config.ts). */
export interface FreebsdDeployment {
  readonly kernel?: KernelFlavour;
  readonly sysctl?: Partial<HostSysctls>;
}

/** A Linux deployment: the knobs of model/linux/knobs.ts (net.core.*, rx-N/*, driver.*, kernel.HZ). */
export interface LinuxDeployment {
  readonly kernel: 'linux';
  readonly sysctl?: Partial<LinuxSysctls>;
}

/**
 * The deployment a user pins with `--kernel` and `--sysctl`: every generated case runs on that
 * kernel with those sysctls; everything else is still generated.
 */
export type Deployment = FreebsdDeployment | LinuxDeployment;

/** The kernel families `--kernel` names. */
export const KERNEL_FAMILIES = ['freebsd', 'freebsd-rss', 'linux'] as const;
export type KernelFamily = (typeof KERNEL_FAMILIES)[number];

export function parseKernel(text: string): Result<KernelFamily, string> {
  const family = KERNEL_FAMILIES.find((k) => k === text);
  return family === undefined
    ? err(`--kernel ${text}: want one of ${KERNEL_FAMILIES.join(', ')}`)
    : ok(family);
}

export function isLinuxDeployment(d: Deployment | undefined): d is LinuxDeployment {
  return d?.kernel === 'linux';
}

/** `min..max unit, default d` or `one of a, b (default a)`: what a refused value is told. */
function knobRange(spec: KnobSpec): string {
  if (typeof spec.default === 'boolean') return `true or false (default ${spec.default})`;
  if (spec.values !== undefined) return `one of ${spec.values.join(', ')} (default ${spec.default})`;
  return `${spec.min ?? '-inf'}..${spec.max ?? 'inf'} ${spec.unit} (default ${spec.default})`;
}

function knobValue(spec: KnobSpec, text: string): unknown {
  // CPU masks are written in hex (echo f > rps_cpus); 0x... is read as such for every number.
  if (typeof spec.default === 'number')
    return /^-?\d+$/.test(text) || /^0x[\da-f]+$/i.test(text) ? Number(text) : Number.NaN;
  if (typeof spec.default === 'boolean')
    return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  return text;
}

/** A knob of the other kernel: say which --kernel it needs instead of "no knob". */
function otherKernel(name: string, linux: boolean): string | undefined {
  if (!linux && name in linuxKnobs) return 'a Linux knob: pin --kernel linux with it';
  if (linux && name in hostSysctlKnobs) return 'a FreeBSD knob, not one of --kernel linux';
  return undefined;
}

/**
 * `--sysctl name=value`, checked against the knob tables of the pinned kernel (model/host for
 * FreeBSD, model/linux/knobs.ts for `--kernel linux`); an error sentence otherwise.
 */
export function parseSysctls(
  texts: readonly string[],
  kernel?: KernelFamily,
): Result<Partial<HostSysctls> & Partial<LinuxSysctls>, string> {
  const out: Record<string, unknown> = {};
  const linux = kernel === 'linux';
  const knobs: Readonly<Record<string, KnobSpec>> = linux ? linuxKnobs : hostSysctlKnobs;
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq <= 0) return err(`--sysctl ${text}: want name=value`);
    const name = text.slice(0, eq);
    const spec = knobs[name];
    const other = spec === undefined ? otherKernel(name, linux) : undefined;
    if (other !== undefined) return err(`--sysctl ${text}: ${name} is ${other}`);
    if (spec === undefined)
      return err(`--sysctl ${text}: no knob ${name} (have: ${Object.keys(knobs).join(', ')})`);
    const value = knobValue(spec, text.slice(eq + 1));
    if (knobError(name, spec, value) !== undefined)
      return err(`--sysctl ${text}: ${name} takes ${knobRange(spec)}`);
    out[name] = value;
  }
  return ok(out as Partial<HostSysctls> & Partial<LinuxSysctls>);
}

/** `--kernel` and every `--sysctl`, as one deployment (empty when nothing is pinned). */
export function parseDeployment(
  kernelText: string | undefined,
  sysctlTexts: readonly string[],
): Result<Deployment, string> {
  const kernel = kernelText === undefined ? ok(undefined) : parseKernel(kernelText);
  if (!kernel.ok) return kernel;
  const sysctl = parseSysctls(sysctlTexts, kernel.value);
  if (!sysctl.ok) return sysctl;
  const pinned = Object.keys(sysctl.value).length > 0 ? { sysctl: sysctl.value } : {};
  if (kernel.value === 'linux') return ok({ kernel: 'linux', ...pinned });
  return ok({ ...(kernel.value === undefined ? {} : { kernel: kernel.value }), ...pinned });
}

/**
 * A generated case on the pinned deployment. A pinned net.isr.defaultqlimit drops the generated
 * per-protocol qlimits, which would otherwise override it.
 */
export function pinDeployment<C extends RunCase>(rc: C, d: FreebsdDeployment): C {
  if (d.kernel === undefined && (d.sysctl === undefined || Object.keys(d.sysctl).length === 0)) return rc;
  const { qlimits, ...rest } = rc.config;
  const keepQlimits = d.sysctl?.['net.isr.defaultqlimit'] === undefined && qlimits !== undefined;
  return {
    ...rc,
    config: {
      ...rest,
      ...(keepQlimits ? { qlimits } : {}),
      ...(d.kernel === undefined ? {} : { kernel: d.kernel }),
      sysctl: { ...rc.config.sysctl, ...d.sysctl },
    },
  };
}

/** `kernel freebsd-rss  sysctl net.isr.maxthreads=-1`: the header's deployment words ('' when nothing is pinned). */
export function deploymentText(d: Deployment): string {
  const words = d.kernel === undefined ? [] : [`kernel ${d.kernel}`];
  const sysctls = Object.entries(d.sysctl ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  if (sysctls.length > 0) words.push(`sysctl ${sysctls.join(' ')}`);
  return words.join('  ');
}

/** The replay command's words for the pinned deployment. */
export function deploymentArgs(d: Deployment): string[] {
  const words = d.kernel === undefined ? [] : ['--kernel', d.kernel];
  for (const [k, v] of Object.entries(d.sysctl ?? {})) words.push('--sysctl', `${k}=${String(v)}`);
  return words;
}
