import { isEncapCase, isLinuxFuzzCase } from '../harness/arbitraries/case-kind.ts';
import { encapText } from '../harness/arbitraries/encap-text.ts';
import { deploymentText } from '../harness/fuzz/deployment.ts';
import type { FuzzReport, PropertyOutcome, ViolationReport } from '../harness/fuzz/report.ts';
import { formatExcerpt } from '../harness/fuzz/trace-text.ts';
import type { Workload } from '../model/host/workload.ts';
import { workloadItemLabel } from '../model/host/workload.ts';
import { formatElapsed } from './progress.ts';

const PROTO_NAMES: Readonly<Record<number, string>> = {
  1: 'icmp',
  6: 'tcp',
  4: 'ipencap',
  17: 'udp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  108: 'ipcomp',
  132: 'sctp',
};

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `${prefix}${l}`))
    .join('\n');
}

function runsText(n: number): string {
  return `${n} ${n === 1 ? 'run' : 'runs'}`;
}

/** Repeats folded: `arrive(flow 0) x33`. */
function runLength(labels: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < labels.length; ) {
    let j = i + 1;
    while (j < labels.length && labels[j] === labels[i]) j++;
    out.push(j - i > 1 ? `${labels[i]} x${j - i}` : (labels[i] ?? ''));
    i = j;
  }
  return out;
}

/** `flow 0: inet udp 10.1.2.3:53 -> 192.168.3.1:1024`, then the items as script lines. */
function workloadText(w: Workload): string {
  const flows = w.flows.map((f, i) => {
    const proto = PROTO_NAMES[f.ipProto] ?? `proto ${f.ipProto}`;
    return `flow ${i}: ${f.family} ${proto} ${f.src} port ${f.sport} -> ${f.dst} port ${f.dport}`;
  });
  return [...flows, `items (${w.items.length}): ${runLength(w.items.map(workloadItemLabel)).join(' ')}`].join(
    '\n',
  );
}

/** Under the rule line of a violation its case did not show again (report.ts `notReproduced`). */
export const NOT_REPRODUCED =
  'not reproduced: the case passed when run again with the policy module loaded afresh, so its answers depend on more than the case (state kept outside its factory, Math.random, the clock); shown is the run that failed';

/** Why a not-reproduced violation is replayed by `--runs`, and what that replay can reproduce. */
export const REPLAYED_BY_RUNS =
  "a --path replay would load the module afresh and pass, so the replay below runs the seed's runs up to this one again with as many workers (each worker keeps its own module state, so the verdict depends on --workers); it rebuilds state kept across runs, not randomness or timing";

/** The lines a not-reproduced violation carries (none for one that reproduced). */
export function notReproducedNote(v: ViolationReport): string[] {
  if (v.notReproduced !== true) return [];
  return [NOT_REPRODUCED, v.replayRuns === undefined ? 'the replay below may pass' : REPLAYED_BY_RUNS];
}

function violationText(r: FuzzReport, v: ViolationReport): string {
  const how =
    r.replayedPath !== undefined
      ? 'on replay'
      : v.shrunk
        ? `after ${runsText(r.runs)} (shrunk ${v.shrinks} times${v.shrinkCut === true ? ', cut short at the --duration limit' : ''})`
        : v.rule === 'policy:timed-out'
          ? `in run ${r.runs} (the watchdog stopped the policy; a run that hangs is replayed, not shrunk)`
          : `in run ${r.runs} (the worker could not finish it; the run is replayed to the fault, not shrunk)`;
  const where = v.events.length > 0 ? ` (trace events ${v.events.map((i) => `#${i}`).join(', ')})` : '';
  const more =
    v.violationCount > 1
      ? `\n  (${v.violationCount - 1} more ${v.violationCount === 2 ? 'violation' : 'violations'} of ${v.property} in this case)`
      : '';
  const { config, workload, schedule } = v.counterexample;
  const encap = isEncapCase(v.counterexample) ? v.counterexample.encap : undefined;
  const first = v.excerpt[0]?.index ?? 0;
  const last = v.excerpt.at(-1)?.index ?? 0;
  return [
    `${v.property} violated ${how}  seed ${r.seed}  path "${v.path}"${r.commit === undefined ? '' : `  commit ${r.commit}`}`,
    `  ${v.rule}: ${v.message}${where}${more}`,
    ...notReproducedNote(v).map((line) => `  ${line}`),
    '',
    isLinuxFuzzCase(v.counterexample)
      ? 'counterexample (Linux, the policy in place of RPS/RFS):'
      : 'counterexample:',
    `  config:   ${JSON.stringify(config)}`,
    ...(encap === undefined ? [] : encapText(encap).map((l) => `  ${l}`)),
    '  workload:',
    indent(workloadText(workload)),
    `  schedule: ${JSON.stringify(schedule)}`,
    '',
    `trace (events #${first}..#${last} of ${v.traceLength}: the violating events, marked >, their packets' history and what ran around them):`,
    formatExcerpt(v.excerpt),
    '',
    `${isLinuxFuzzCase(v.counterexample) ? 'Linux counters' : 'netstat -Q'} at event #${v.netstatAtEvent}:`,
    indent(v.netstatQ.trimEnd(), '  '),
    '',
    `replay: ${v.replay}`,
  ].join('\n');
}

/** `held       1000 runs (judged in 412)`, `not exercised (nothing to judge in 1000 runs)`. */
function outcomeText(p: PropertyOutcome): string {
  const judged = p.exercisedRuns === undefined ? '' : ` (judged in ${p.exercisedRuns})`;
  switch (p.status) {
    case 'undecided':
      return 'undecided (the search stopped at the first violation)';
    case 'not-exercised':
      return `not exercised (nothing to judge in ${runsText(p.runs)})`;
    case 'held':
      return `held       ${runsText(p.runs)}${judged}`;
    case 'violated':
      return `VIOLATED   ${runsText(p.runs)}${judged}`;
  }
}

/** The human report on stdout. */
export function reportText(r: FuzzReport): string {
  const cpus = r.cpus.min === r.cpus.max ? `${r.cpus.min}` : `${r.cpus.min}-${r.cpus.max}`;
  const pinned = deploymentText(r.deployment);
  const head = `fuzz ${r.policyFile} (policy ${r.policyName}, ${r.exportName} export)  seed ${r.seed}  cpus ${cpus}${pinned === '' ? '' : `  ${pinned}`}  ${formatElapsed(r.elapsedMs)}`;
  const width = Math.max(...r.properties.map((p) => p.name.length));
  const rows = r.properties.map((p) => `  ${p.name.padEnd(width)}  ${outcomeText(p)}`);
  if (r.violation === undefined) {
    const over =
      r.replayedPath !== undefined ? `the replayed case (path ${r.replayedPath})` : `${runsText(r.runs)}`;
    const idle = r.properties.filter((p) => p.status === 'not-exercised').length;
    const held = idle === 0 ? 'every property held' : `every exercised property held (${idle} not exercised)`;
    return [head, ...rows, `${held} over ${over}`].join('\n');
  }
  return [head, ...rows, '', violationText(r, r.violation)].join('\n');
}
