import type { CounterReading } from './reading.ts';
import { SOFTNET_COLUMN, type SoftnetRow, type SoftnetSection } from './softnet.ts';
import { tornReadAllowance } from './torn-read.ts';
import type { GroupCheck } from './types.ts';

/**
 * R8: a flow-limit drop is a backlog drop too, so over every CPU flow_limit_count <= dropped.
 * Per CPU they differ: skb_flow_limit counts on the CPU that enqueues (this_cpu_ptr), the drop lands
 * on the target's softnet_data (enqueue_to_backlog), an RPS target that may be any CPU. softnet_stat
 * lists online CPUs only (softnet_get_online), so drops on a CPU offline now are not in the sum. A CPU
 * that went offline and came back is listed again with its counters: softnet_data is per CPU and
 * kept, and dev_cpu_dead re-queues the dead CPU's backlog through netif_rx, counted as any packet.
 */

const at = (r: SoftnetRow, col: number): bigint => r.values[col] ?? 0n;
const sum = (rows: readonly SoftnetRow[], col: number) => rows.reduce((a, r) => a + at(r, col), 0n);

/** A note names this many missing CPUs at most. */
const CPUS_NAMED_MAX = 8;

/** What the table shows of offline CPUs: the gaps in the CPU index (13 columns on), or nothing. */
function offlineSeen(s: SoftnetSection): string {
  if (s.columns < 13) return 'before 5.10 no CPU index shows the gap';
  const listed = new Set(s.rows.map((r) => r.cpu));
  const last = s.rows.at(-1)?.cpu ?? 0;
  const missing: number[] = [];
  for (let cpu = 0; cpu < last && missing.length <= CPUS_NAMED_MAX; cpu++)
    if (!listed.has(cpu)) missing.push(cpu);
  if (missing.length === 0) return `none below cpu ${last} is missing: one after it`;
  const named = missing.slice(0, CPUS_NAMED_MAX).map((c) => `cpu ${c}`);
  return `${named.join(', ')}${missing.length > CPUS_NAMED_MAX ? ', ...' : ''} ${missing.length > 1 ? 'are' : 'is'} missing`;
}

export function checkR8(s: SoftnetSection, reading: CounterReading): GroupCheck {
  if (s.columns < 11) return { checks: 0, findings: [] };
  const limited = sum(s.rows, SOFTNET_COLUMN.flowLimitCount);
  const dropped = sum(s.rows, SOFTNET_COLUMN.dropped);
  const first = s.rows[0];
  if (first === undefined || limited <= dropped) return { checks: 1, findings: [] };
  const observed = `flow_limit_count ${limited} above dropped ${dropped}`;
  const note = (text: string): GroupCheck => ({
    checks: 1,
    findings: [],
    explanations: [{ format: 'softnet-stat', row: 'all cpus', text, knobs: [] }],
  });
  if (!reading.allCpusOnline) {
    return note(
      `${observed}: RPS sent the drops to a CPU offline now, not listed (${offlineSeen(s)}): skb_flow_limit counts ` +
        'on the enqueuing CPU, the drop on the target; or dropped misses flow-limit drops (R8). ' +
        'Check again with --all-cpus-online if every CPU was online.',
    );
  }
  const allowance = tornReadAllowance(limited, reading);
  if (limited - dropped <= allowance) {
    return note(
      `${observed}: a read while drops were counted: skb_flow_limit counts first and the rows are read in turn ` +
        `(a read may miss up to ${allowance}); or dropped misses flow-limit drops (R8). ` +
        'Check again with --quiescent if the host was idle.',
    );
  }
  return {
    checks: 1,
    findings: [
      {
        format: 'softnet-stat',
        rule: 'R8',
        line: first.line,
        row: 'all cpus',
        // Every CPU online and the read not torn: only a u32 dropped that wrapped (2^32 drops on one CPU) is left.
        message: `${observed} with every CPU online (unless a CPU's u32 dropped counter wrapped: 2^32 drops since boot)`,
      },
    ],
  };
}
