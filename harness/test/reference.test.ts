import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { netstatQFaults } from '../../counters/netstat-q-faults.ts';
import { parseNetstatQ } from '../../counters/netstat-q-table.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { writeFailureReport } from '../../report/on-failure.ts';
import { BUILTIN_POLICY_NAMES, builtinPolicy, runCaseArb } from '../arbitraries/run-case.ts';
import { describeViolations } from '../check-run.ts';
import { fcParams } from '../fc-runs.ts';
import { mustCheck } from './helpers.ts';

/**
 * The reference model keeps every promise: for each built-in policy (the kernel as configured,
 * then every SOURCE/FLOW/CPU x DIRECT/HYBRID/DEFERRED override), over
 * generated machines (1..64 CPUs, every net.isr.dispatch, qlimits down to 1), workloads and
 * schedules, every property passes, and the run's own `netstat -Q` text parses back to the final
 * snapshot and satisfies the identities. A failure prints fast-check's seed and path and the
 * violations (property, rule, trace events).
 */
describe('the reference model passes every property', () => {
  const policies = BUILTIN_POLICY_NAMES.map((name) => ({
    name,
    policyFor: builtinPolicy.bind(undefined, name),
  }));

  // No mid-run flow moves here: FreeBSD's SOURCE and CPU placements pick the workstream from the
  // CPU a packet enters on, so a flow moved by ethtool -X or a migrating writer may be reordered,
  // as on a real kernel (N-20 assumes the source stays put). Moves are judged against user policies.
  it.each(policies)('with $name', ({ name, policyFor }) => {
    fc.assert(
      fc.property(runCaseArb({ moveKinds: ['none'] }), (c) => {
        const { result, violations } = mustCheck(c, policyFor(c.config), PROPERTIES);
        const [first] = violations;
        if (first !== undefined) {
          // With NETSTACK_REPORT_DIR set, the shrunk counterexample is drawn as a per-CPU timeline.
          writeFailureReport(
            { ...result, config: c.config },
            first,
            `FC_SEED=<seed> FC_PATH=<path> npx vitest run harness/test/reference.test.ts -t 'with ${name}'`,
          );
          throw new Error(`${name}:\n${describeViolations(violations)}`);
        }
        const parsed = parseNetstatQ(result.netstatQ);
        if (!parsed.ok)
          throw new Error(`netstat -Q of the run does not parse: ${JSON.stringify(parsed.error)}`);
        const faults = netstatQFaults(parsed.table, { qlimitsFixed: true });
        if (faults.length > 0) throw new Error(`netstat -Q of the run: ${JSON.stringify(faults)}`);
        const snapshots = result.trace.flatMap((e) => (e.kind === 'counters' ? [e.netisr] : []));
        const rows = snapshots.at(-1) ?? [];
        expect(parsed.table.workstreams.map(({ line: _, ...r }) => r)).toEqual(
          rows.map(({ qlimitPackets: _, ...r }) => r),
        );
      }),
      fcParams(),
    );
  });
});
