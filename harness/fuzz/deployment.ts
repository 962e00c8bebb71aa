import { type HostSysctls, hostSysctlKnobs, type KernelFlavour } from '../../model/host/config.ts';
import { type KnobSpec, knobError } from '../../model/knobs.ts';
import { err, ok, type Result } from '../../model/result.ts';
import type { RunCase } from '../arbitraries/run-case.ts';

/**
 * The deployment a user pins with `--kernel` and `--sysctl`: every generated case runs on that
 * kernel flavour with those sysctls; everything else is still generated.
 */
export interface Deployment {
  readonly kernel?: KernelFlavour;
  readonly sysctl?: Partial<HostSysctls>;
}

/** The kernel families `--kernel` names; `linux` is refused until fuzz runs model/linux. */
export const KERNEL_FAMILIES = ['freebsd', 'freebsd-rss', 'linux'] as const;

export function parseKernel(text: string): Result<KernelFlavour, string> {
  if (text === 'freebsd' || text === 'freebsd-rss') return ok(text);
  if (text === 'linux')
    return err(
      '--kernel linux: fuzzing a policy on model/linux is not available yet (have freebsd, freebsd-rss)',
    );
  return err(`--kernel ${text}: want one of ${KERNEL_FAMILIES.join(', ')}`);
}

/** `min..max unit, default d` or `one of a, b (default a)`: what a refused value is told. */
function knobRange(spec: KnobSpec): string {
  if (typeof spec.default === 'boolean') return `true or false (default ${spec.default})`;
  if (spec.values !== undefined) return `one of ${spec.values.join(', ')} (default ${spec.default})`;
  return `${spec.min ?? '-inf'}..${spec.max ?? 'inf'} ${spec.unit} (default ${spec.default})`;
}

function knobValue(spec: KnobSpec, text: string): unknown {
  if (typeof spec.default === 'number') return /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (typeof spec.default === 'boolean')
    return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  return text;
}

/** `--sysctl name=value`, checked against the knob tables (model/\*\/knobs.ts); an error sentence otherwise. */
export function parseSysctls(texts: readonly string[]): Result<Partial<HostSysctls>, string> {
  const out: Record<string, unknown> = {};
  const knobs: Readonly<Record<string, KnobSpec>> = hostSysctlKnobs;
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq <= 0) return err(`--sysctl ${text}: want name=value`);
    const name = text.slice(0, eq);
    const spec = knobs[name];
    if (spec === undefined)
      return err(`--sysctl ${text}: no knob ${name} (have: ${Object.keys(knobs).join(', ')})`);
    const value = knobValue(spec, text.slice(eq + 1));
    if (knobError(name, spec, value) !== undefined)
      return err(`--sysctl ${text}: ${name} takes ${knobRange(spec)}`);
    out[name] = value;
  }
  return ok(out as Partial<HostSysctls>);
}

/**
 * A generated case on the pinned deployment. A pinned net.isr.defaultqlimit drops the generated
 * per-protocol qlimits, which would otherwise override it.
 */
export function pinDeployment<C extends RunCase>(rc: C, d: Deployment): C {
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
