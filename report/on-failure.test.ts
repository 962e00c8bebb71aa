import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleReportInput } from '../harness/fixtures/report-sample.ts';
import { runHost } from '../model/host/run.ts';
import { unwrap } from '../model/result.ts';
import { checkFlowOrder } from '../properties/ordering.ts';
import { REPORT_DIR_ENV, reportFileName, writeFailureReport } from './on-failure.ts';

const dir = mkdtempSync(join(tmpdir(), 'netstack-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a failing property test writes the same report (NETSTACK_REPORT_DIR)', () => {
  const input = sampleReportInput(20);
  const run = {
    trace: input.trace,
    config: input.config,
    netstatQ: input.netstatQ,
    policyName: input.policyName,
  };
  const [violation] = checkFlowOrder(input.trace);
  if (violation === undefined) throw new Error('the sample must violate flow order');

  it('writes nothing when the variable is unset or empty', () => {
    expect(writeFailureReport(run, violation, 'replay', {})).toBeUndefined();
    expect(writeFailureReport(run, violation, 'replay', { [REPORT_DIR_ENV]: '' })).toBeUndefined();
  });

  it('writes <property>-<rule>.html with the violation, its events and the replay command', () => {
    const file = writeFailureReport(run, violation, 'npx vitest run properties/ordering.test.ts', {
      [REPORT_DIR_ENV]: join(dir, 'nested'),
    });
    expect(file).toBe(join(dir, 'nested', 'flow-order-N-20.html'));
    const html = readFileSync(file ?? '', 'utf8');
    expect(html).toContain('<pre id="replay">npx vitest run properties/ordering.test.ts</pre>');
    expect(html).toContain(`"highlight":[${violation.events.join(',')}]`);
  });

  it('keeps the last failure of a property: the shrunk counterexample replaces the first one', () => {
    const env = { [REPORT_DIR_ENV]: dir };
    writeFailureReport(run, violation, 'first', env);
    writeFailureReport(run, { ...violation, message: 'shrunk' }, 'second', env);
    expect(readFileSync(join(dir, reportFileName(violation)), 'utf8')).toContain(
      '<pre id="replay">second</pre>',
    );
    expect(reportFileName({ property: 'a/../b', rule: '' })).toBe('a_.._b-_.html');
    expect(existsSync(join(dir, 'a_.._b-_.html'))).toBe(false);
  });

  it('takes a RunResult as it comes from the model', () => {
    const r = unwrap(
      runHost({
        config: { cpuCount: 1 },
        workload: {
          flows: [{ family: 'inet', ipProto: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }],
          items: [{ kind: 'packet', flow: 0 }],
        },
        schedule: [],
        policy: { name: 'inline', place: (_p, ctx) => ({ cpu: ctx.cpu, mode: 'direct' }) },
      }),
    );
    const file = writeFailureReport(r, { property: 'p', rule: 'N-20', events: [0], message: 'm' }, 'cmd', {
      [REPORT_DIR_ENV]: dir,
    });
    expect(readFileSync(file ?? '', 'utf8')).toContain('16 events, 1 CPU, 1 thread, 1 flow');
  });
});
