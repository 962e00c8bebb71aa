import type { LiveVerdict } from '../harness/live-judge.ts';
import { packetText } from '../model/trace.ts';

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(a === b ? 0 : 2)}%`);
const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** The agreement table: per flow, the CPUs the kernel and the model put its packets on. */
export function agreementTable(v: LiveVerdict): string[] {
  const d = v.differential;
  const out = [
    `CPU agreement, kernel vs model (${d.policy}): ${d.agreed}/${d.compared} packets (${pct(d.agreed, d.compared)})`,
    '  flow  hash        packets  kernel cpu  model cpu  agree',
  ];
  for (const r of d.rows)
    out.push(
      `  ${String(r.flow).padStart(4)}  ${hex(r.hash)}  ${String(r.packets).padStart(7)}  ${r.kernelCpus.join(',').padStart(10)}  ${r.modelCpus.join(',').padStart(9)}  ${pct(r.agree, r.packets).padStart(5)}`,
    );
  for (const x of d.disagreements.slice(0, 5))
    out.push(
      `  DISAGREE packet ${packetText(x.pkt)} (flow ${x.flow} seq ${x.seq}, hash ${hex(x.hash)}): kernel cpu ${x.kernelCpu}, model cpu ${x.modelCpu}`,
    );
  return out;
}

export function liveText(v: LiveVerdict, config: string): string {
  const dropped = v.drops.reduce((s, d) => s + d.count, 0);
  const kernel = v.trace[0]?.kind === 'kernel' ? v.trace[0] : undefined;
  const out = [
    `live run on Linux ${v.kernelRelease}: ${config}`,
    `model compared: ${kernel?.version ?? 'linux-6.18'}, the modelled version closest to ${v.kernelRelease} (docs/kernel-versions.md)`,
    `sent ${v.sent}, delivered ${v.delivered}, dropped ${dropped}${v.sent === v.delivered + dropped ? ' (sent = delivered + dropped)' : ` (${v.sent - v.delivered - dropped} unaccounted)`}`,
  ];
  for (const d of v.drops)
    out.push(
      `  drop ${d.reason}: ${d.count}, counter ${d.counter} moved by ${d.counterDelta}${d.count === d.counterDelta ? '' : ' (MISMATCH)'}`,
    );
  out.push('properties (the checkers the model is judged by):');
  for (const p of v.properties) {
    out.push(`  ${p.held ? 'held    ' : 'VIOLATED'} ${p.property}`);
    for (const x of p.violations.slice(0, 3)) out.push(`           ${x.rule}: ${x.message}`);
    if (p.unobservable.length > 0)
      out.push(
        `           not decidable live (${p.unobservable.length}): ${p.unobservable[0]?.rule} ${p.unobservable[0]?.message} (the backlog splice has no tracepoint)`,
      );
  }
  out.push(
    v.counterFindings.length === 0
      ? `counter identities (check-counters on the before/after difference): ${v.counterChecks} checks hold`
      : `counter identities: ${v.counterFindings.length} broken: ${v.counterFindings.slice(0, 3).join('; ')}`,
  );
  out.push(...agreementTable(v));
  out.push(
    'not predicted by the model: timing (which packets meet a full backlog or buffer), only that each is counted',
  );
  for (const i of v.issues) out.push(`cannot judge: ${i}`);
  out.push(v.ok ? 'verdict: ok' : 'verdict: FAILED');
  return `${out.join('\n')}\n`;
}

/** --json: verdicts, the agreement table and the counters, without the trace. */
export function liveJson(v: LiveVerdict, config: string): string {
  const { trace: _trace, ...rest } = v;
  return `${JSON.stringify({ config, ...rest, traceEvents: v.trace.length }, null, 2)}\n`;
}
