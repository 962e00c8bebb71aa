import fc from 'fast-check';
import { type Workload, workloadItemLabel } from '../../model/host/workload.ts';
import type { FlowSpec } from '../../model/rss/flowhash.ts';
import type { Schedule } from '../../model/sim/schedule.ts';
import { type EncapParts, encapText } from './encap-text.ts';

/** What every generated case has, whichever kernel it runs on; `encap` for an encapsulated case. */
export interface CaseParts {
  readonly config: unknown;
  readonly workload: Workload;
  readonly schedule: Schedule;
  readonly encap?: EncapParts;
}

/** /etc/protocols names; 4, 50, 51 and 108 are the outer headers of encapsulated cases. */
const IP_PROTO_NAMES: Readonly<Record<number, string>> = {
  1: 'icmp',
  4: 'ipencap',
  6: 'tcp',
  17: 'udp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  108: 'ipcomp',
  132: 'sctp',
};

function flowText(f: FlowSpec, i: number): string {
  const proto = IP_PROTO_NAMES[f.ipProto] ?? `proto ${f.ipProto}`;
  const [open, close] = f.family === 'inet6' ? ['[', ']'] : ['', ''];
  return `flow ${i}: ${proto} ${open}${f.src}${close}:${f.sport} > ${open}${f.dst}${close}:${f.dport}`;
}

/**
 * A run case as script lines, as a counterexample should read: the configuration (a pasteable
 * object literal), one line per flow, the workload with repeats folded (`arrive(flow 0) x3`), and
 * the schedule.
 *
 *   config {kernel:"freebsd",cpuCount:1,...}
 *   flow 0: tcp 10.0.0.0:0 > 192.168.0.1:0
 *   arrive(flow 0) x2
 *   schedule []
 */
export function runCaseText(c: CaseParts): string {
  const lines = [
    `config ${fc.stringify(c.config)}`,
    ...(c.encap === undefined ? [] : encapText(c.encap)),
    ...c.workload.flows.map(flowText),
  ];
  let last = '';
  let repeats = 0;
  const flush = () => {
    if (repeats > 0) lines.push(repeats > 1 ? `${last} x${repeats}` : last);
  };
  for (const item of c.workload.items) {
    const label = workloadItemLabel(item);
    if (label === last) {
      repeats++;
      continue;
    }
    flush();
    last = label;
    repeats = 1;
  }
  flush();
  lines.push(`schedule [${c.schedule.join(',')}]`);
  return lines.join('\n');
}

/** The case, printed by fast-check (fc.stringify, counterexample reports) as runCaseText. */
export function withCaseText<C extends CaseParts>(c: C): C {
  return Object.defineProperty({ ...c }, fc.toStringMethod, {
    value: () => `\n${runCaseText(c)}\n`,
    enumerable: false,
  });
}
