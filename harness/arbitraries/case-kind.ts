import type { EncapCase } from './encap-case.ts';
import type { LinuxFuzzCase } from './linux-fuzz-case.ts';

/*
 * Which kind of fuzz case a value is, told by its `kind` tag alone: the command line reads cases
 * back from a report without loading the arbitraries (and the models they draw from).
 */

export function isLinuxFuzzCase(c: object): c is LinuxFuzzCase {
  return (c as { kind?: unknown }).kind === 'linux';
}

export function isEncapCase(c: object): c is EncapCase {
  return (c as { kind?: unknown }).kind === 'encap';
}
