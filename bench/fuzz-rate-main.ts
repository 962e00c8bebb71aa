import { fuzzRate } from './fuzz-rate.ts';

/**
 * `fuzzRate` as a program, for `fuzzRateBundled`: `<policy file> <runs per round> <rounds> [warm-up
 * runs]`, the result as one JSON document on stdout (a string result is the reason it could not
 * measure).
 */
const [policyFile = '', runs = '0', rounds = '0', warmUp] = process.argv.slice(2);
const rate = await fuzzRate(policyFile, Number(runs), Number(rounds), Number(warmUp ?? runs));
process.stdout.write(JSON.stringify(rate));
