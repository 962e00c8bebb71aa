import { describe, expect, it } from 'vitest';
import type { FuzzReport } from '../harness/fuzz/report.ts';
import { junitXml } from './junit.ts';

const held: FuzzReport = {
  result: 'held',
  policyFile: 'p.ts',
  policyName: 'p<1>',
  exportName: 'default',
  seed: 3,
  runsAsked: 10,
  runs: 10,
  cpus: { min: 1, max: 64 },
  deployment: {},
  properties: [
    { name: 'flow-order', status: 'held', runs: 10, exercisedRuns: 9 },
    { name: 'stack-depth', status: 'not-exercised', runs: 10, exercisedRuns: 0 },
  ],
  elapsedMs: 1500,
  commit: undefined,
  replayedPath: undefined,
  violation: undefined,
};

describe('junit', () => {
  it('one test case per property; not exercised is skipped; names escaped', () => {
    const xml = junitXml(held);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('tests="2" failures="0" skipped="1" time="1.500"');
    expect(xml).toContain('classname="fuzz.p&#60;1&#62;" name="stack-depth"><skipped');
  });
});
