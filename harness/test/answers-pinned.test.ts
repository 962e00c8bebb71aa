import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicySource } from '../../model/policy.ts';
import flowHash from '../../policies/flow-hash.ts';
import roundRobin from '../../policies/unsafe/round-robin.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { isEncapCase, isLinuxFuzzCase } from '../arbitraries/case-kind.ts';
import { runFuzzCase } from '../fuzz/run-fuzz-case.ts';
import { runCaseArbFor } from '../fuzz/search.ts';

/*
 * A change meant to make the model or the checkers faster must not change what they answer. This
 * pins, over generated cases of every kind (FreeBSD host, IPsec/tunnel gateway, Linux), the traces,
 * the counter texts and every checker's violations under a safe policy and an unsafe one. The
 * digests change when the model, a checker or the fuzz command's arbitraries change on purpose:
 * update them with the reason in the commit.
 */
const CASES = fc.sample(runCaseArbFor({ cpuCountMin: 1, cpuCountMax: 64 }), { seed: 1, numRuns: 40 });

function answersDigest(policy: PolicySource): string {
  const h = createHash('sha256');
  for (const c of CASES) {
    const run = runFuzzCase(c, policy);
    if (!run.ok) throw new Error(`the model refused a generated case: ${run.error}`);
    h.update(JSON.stringify(run.value.trace));
    h.update(run.value.netstatQ);
    for (const p of PROPERTIES) h.update(JSON.stringify(p.check(run.value.trace)));
  }
  return h.digest('hex').slice(0, 16);
}

describe('what the model and the checkers answer over generated cases is pinned', () => {
  it('the sample holds every kind of case', () => {
    expect(CASES.filter(isLinuxFuzzCase).length).toBeGreaterThan(3);
    expect(CASES.filter(isEncapCase).length).toBeGreaterThan(3);
  });

  it.each([
    ['flow-hash', flowHash, '0ed1c265eeff76b0'],
    ['round-robin', roundRobin, 'cad769d5fd9ef5bd'],
  ] as const)('%s', (_name, policy, digest) => {
    expect(answersDigest(policy)).toBe(digest);
  });
});
