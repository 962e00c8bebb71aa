import { tunesCompiler, useFuzzCompilerFlags } from '../harness/fuzz/compiler-flags.ts';
import { fuzzRate } from './fuzz-rate.ts';

/**
 * `fuzzRate` as a program, for `fuzzRateInProcess` (`<policy file> <runs per round> <rounds>
 * [warm-up runs]`, the result as one JSON document on stdout; a string result is the reason it
 * could not measure): a process of its own, under the compiler flags a fuzz worker would run a
 * search of that many runs with (none for the bench's 6,500), from the sources through tsx or
 * bundled as the worker ships.
 */
const [policyFile = '', runs = '0', rounds = '0', warmUp] = process.argv.slice(2);
const runsInAll = Number(warmUp ?? runs) + Number(runs) * Number(rounds);
if (tunesCompiler(runsInAll)) useFuzzCompilerFlags();
const rate = await fuzzRate(policyFile, Number(runs), Number(rounds), Number(warmUp ?? runs));
process.stdout.write(JSON.stringify(rate));
