import { afterAll, afterEach } from 'vitest';
import { openCases } from './case-time.ts';

/**
 * Per test file: adds up, after each case, the seconds the original case sleeps (`sleep N`
 * in its body and helpers) and the virtual seconds it spans (sleeps plus every wait of ping,
 * `ifconfig -w`, route monitor ...), which is what running the original costs at least.
 * With ATF_SLEEP_REPORT=1 the totals are printed after the file.
 */
export function reportSleeps(file: string): void {
  let cases = 0;
  let slept = 0;
  let virtual = 0;
  afterEach(() => {
    for (const read of openCases.splice(0)) {
      const t = read();
      cases++;
      slept += t.sleptSeconds;
      virtual += t.virtualSeconds;
    }
  });
  afterAll(() => {
    if (process.env.ATF_SLEEP_REPORT === undefined) return;
    const line = `atf-sleeps ${file}: cases ${cases}, original sleeps ${slept} s, virtual time ${virtual.toFixed(1)} s`;
    process.stdout.write(`${line}\n`);
  });
}
