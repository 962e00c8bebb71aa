import { useFuzzCompilerFlags } from '../harness/fuzz/compiler-flags.ts';
import { fuzzRate } from './fuzz-rate.ts';

/**
 * `fuzzRate` as a program, for `fuzzRateInProcess` (`<policy file> <runs per round> <rounds>
 * [warm-up runs]`, the result as one JSON document on stdout; a string result is the reason it
 * could not measure): a process of its own, under the compiler flags a fuzz worker runs with, run
 * from the sources through tsx or bundled as the worker ships.
 */
useFuzzCompilerFlags();
const [policyFile = '', runs = '0', rounds = '0', warmUp] = process.argv.slice(2);
const rate = await fuzzRate(policyFile, Number(runs), Number(rounds), Number(warmUp ?? runs));
process.stdout.write(JSON.stringify(rate));
