import type { NetstatQSection } from './netstat-q.ts';
import { type NetstatQReading, netstatQFaults } from './netstat-q-faults.ts';
import type { NetstatQProtocol, NetstatQTable, NetstatQWorkRow } from './netstat-q-table.ts';
import { grouped, percent } from './numbers.ts';
import type { Explanation, Finding, SectionCheck } from './types.ts';

/**
 * The netstat -Q identities on a snapshot of a running kernel: the suite's own (netstatQFaults,
 * which the counter-consistency property applies to every modelled snapshot, read here as not
 * quiescent: a batch may be in flight, N-17), plus N-9, which needs the Protocols table.
 */

/** The sysctl that sets a protocol's qlimit, where the kernel has one. */
const QLIMIT_KNOB: Readonly<Record<string, string>> = {
  ip: 'net.inet.ip.intr_queue_maxlen',
  ip6: 'net.inet6.ip6.intr_queue_maxlen',
  ipsec: 'net.inet.ipsec.intr_queue_maxlen',
  rtsock: 'net.route.netisr_maxqlen',
  // if_epair.c (FreeBSD 8 to 12) registers its own protocol, qlimit 42 * ifqmaxlen unless this is set.
  epair: 'net.link.epair.netisr_maxqlen',
};

const rowName = (r: NetstatQWorkRow) => `cpu ${r.cpu} ${r.proto}`;

/**
 * Each protocol's Protocols row by name, built once per table so that tables of thousands of rows
 * stay linear; a name listed twice keeps its first row.
 */
function protocolsByName(t: NetstatQTable): Map<string, NetstatQProtocol> {
  const out = new Map<string, NetstatQProtocol>();
  for (const p of t.protocols) if (!out.has(p.name)) out.set(p.name, p);
  return out;
}

/**
 * N-9 (netisr_queue_workstream): a drop happens only at the limit, so a queue that dropped has
 * reached it. With qlimits settable at run time, a raise after the drops leaves WMark below today's
 * QLimit (an explanation, below); what no history explains is a drop from a queue that never held a
 * packet, as every qlimit is at least 1 (Q-1).
 */
function dropFindings(t: NetstatQTable, reading: NetstatQReading): Finding[] {
  const protocols = protocolsByName(t);
  return t.workstreams.flatMap((r) => {
    const qlimit = protocols.get(r.proto)?.qlimitPackets;
    if (qlimit === undefined || r.qdrops === 0 || r.watermarkPackets >= qlimit) return [];
    if (!reading.qlimitsFixed && r.watermarkPackets > 0) return [];
    return [
      {
        format: 'netstat-q' as const,
        rule: 'N-9',
        line: r.line,
        row: rowName(r),
        message: reading.qlimitsFixed
          ? `QDrops ${r.qdrops} but WMark ${r.watermarkPackets} never reached QLimit ${qlimit}`
          : `QDrops ${r.qdrops} but WMark 0: the queue never held a packet, and no qlimit is below 1`,
      },
    ];
  });
}

/**
 * Rows whose WMark and QLimit disagree in a way a qlimit changed at run time explains: lowered
 * after the queue got deeper (WMark above QLimit), or raised after drops (drops, WMark below).
 */
function changedQlimitNotes(t: NetstatQTable): Explanation[] {
  const out: Explanation[] = [];
  const protocols = protocolsByName(t);
  for (const r of t.workstreams) {
    const qlimit = protocols.get(r.proto)?.qlimitPackets;
    if (qlimit === undefined) continue;
    const knob = QLIMIT_KNOB[r.proto] ?? `the ${r.proto} qlimit`;
    const lowered = r.watermarkPackets > qlimit;
    const raised = r.qdrops > 0 && r.watermarkPackets > 0 && r.watermarkPackets < qlimit;
    if (!lowered && !raised) continue;
    out.push({
      format: 'netstat-q',
      row: rowName(r),
      text: lowered
        ? `WMark ${r.watermarkPackets} above QLimit ${qlimit}: the qlimit was lowered after the queue reached ${r.watermarkPackets} ` +
          '(netisr_setqlimit keeps the watermark), or netisr queued past its limit (I-1). ' +
          'If the qlimits were not changed since boot, check again with --qlimits-fixed.'
        : `QDrops ${r.qdrops} with WMark ${r.watermarkPackets} below QLimit ${qlimit}: the qlimit was raised after the drops ` +
          '(netisr_setqlimit keeps the watermark), or netisr dropped below its limit (N-9). ' +
          'If the qlimits were not changed since boot, check again with --qlimits-fixed.',
      knobs: [knob],
    });
  }
  return out;
}

const full = (r: NetstatQWorkRow, qlimit: number | undefined) =>
  qlimit !== undefined && r.lenPackets > 0 && r.lenPackets >= qlimit;

function explanations(t: NetstatQTable): Explanation[] {
  const out: Explanation[] = [];
  const threads = t.threadCount?.current;
  const protocols = protocolsByName(t);
  for (const r of t.workstreams) {
    const qlimit = protocols.get(r.proto)?.qlimitPackets;
    const knob = QLIMIT_KNOB[r.proto] ?? `the ${r.proto} qlimit (net.isr.defaultqlimit at boot)`;
    if (r.qdrops === 0) {
      if (full(r, qlimit)) {
        out.push({
          format: 'netstat-q',
          row: rowName(r),
          text: `the ${r.proto} queue is full right now (Len ${r.lenPackets} = QLimit ${qlimit}): the next packet is dropped.`,
          knobs: [knob, 'net.isr.maxthreads'],
        });
      }
      continue;
    }
    const policy = protocols.get(r.proto)?.policy;
    const offered = BigInt(r.queued) + BigInt(r.qdrops);
    const single = threads === 1 ? ' a single workstream takes the whole load (Thread count 1);' : '';
    // After a raise, the queue reached the old limit (its WMark), not today's QLimit.
    const reached =
      qlimit !== undefined && r.watermarkPackets < qlimit
        ? `whose WMark ${r.watermarkPackets} is below its qlimit ${qlimit} now`
        : `which reached its qlimit ${qlimit ?? '?'} (WMark ${r.watermarkPackets}${full(r, qlimit) ? `, and Len ${r.lenPackets}: full right now` : ''})`;
    out.push({
      format: 'netstat-q',
      row: rowName(r),
      text:
        `${grouped(BigInt(r.qdrops))} drops on the ${r.proto} queue (${percent(BigInt(r.qdrops), offered)} of what was offered to it), ` +
        `${reached};` +
        `${single} policy ${policy ?? '?'}${t.dispatchPolicy === undefined ? '' : `, net.isr.dispatch=${t.dispatchPolicy}`}. ` +
        'Raise the qlimit, add workstreams (with a flow or cpu policy that spreads the load), or dispatch inline.',
      knobs: [knob, 'net.isr.maxthreads', 'net.isr.dispatch'],
    });
  }
  return out;
}

export function checkNetstatQ(s: NetstatQSection, reading: NetstatQReading): SectionCheck {
  const t = s.table;
  const first = t.workstreams[0]?.line ?? t.protocols[0]?.line ?? t.settings[0]?.line ?? 1;
  const rowAt = new Map(t.workstreams.map((r) => [r.line, r]));
  const faults: Finding[] = netstatQFaults(t, reading).map((f) => {
    const row = f.line === undefined ? undefined : rowAt.get(f.line);
    return {
      format: 'netstat-q',
      rule: f.rule,
      line: s.firstLine - 1 + (f.line ?? first),
      row: row === undefined ? 'table' : rowName(row),
      message: f.message,
    };
  });
  const drops = dropFindings(t, reading).map((f) => ({ ...f, line: s.firstLine - 1 + f.line }));
  // Per row: I-4, N-17, I-2, and with Protocols I-1 and N-9; per table: the Q-3 layout, Q-5 limits.
  const perRow = t.protocols.length > 0 ? 5 : 3;
  return {
    checks: t.workstreams.length * perRow + 2,
    rows: t.workstreams.length,
    findings: [...faults, ...drops],
    explanations: reading.qlimitsFixed ? explanations(t) : [...changedQlimitNotes(t), ...explanations(t)],
  };
}
