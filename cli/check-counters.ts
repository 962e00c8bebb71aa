import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkCounters } from '../counters/index.ts';

/**
 * `npm run check-counters -- <file | -> [--json]`: the suite's counter identities applied to real
 * netstat -Q, netstat -s, /proc/net/snmp and /proc/net/softnet_stat output.
 * Exit 0: every identity holds; 1: a row breaks one; 2: unreadable or malformed input, or bad usage.
 */
export const USAGE = 'usage: npm run check-counters -- <file | -> [--json]';

/** Input larger than this is refused before parsing (real tables are a few kilobytes). */
export const INPUT_BYTES_MAX = 16 * 1024 * 1024;

export interface CliResult {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

const usage = (why: string): CliResult => ({
  exitCode: 2,
  stdout: '',
  stderr: `check-counters: ${why}\n${USAGE}\n`,
});

function readInput(path: string, stdin: () => Buffer): Buffer | string {
  try {
    return path === '-' ? stdin() : readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return `cannot read ${path === '-' ? 'stdin' : path}: ${code}`;
  }
}

function parseCli(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
}

export function runCheckCounters(
  argv: readonly string[],
  stdin: () => Buffer = () => readFileSync(0),
): CliResult {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    return usage((e as Error).message);
  }
  if (parsed.values.help === true) return { exitCode: 0, stdout: `${USAGE}\n`, stderr: '' };
  const [path, ...extra] = parsed.positionals;
  if (path === undefined) return usage('no input: name a file, or - for stdin');
  if (extra.length > 0) return usage(`one input at a time (got ${parsed.positionals.length})`);
  const bytes = readInput(path, stdin);
  if (typeof bytes === 'string') return { exitCode: 2, stdout: '', stderr: `check-counters: ${bytes}\n` };
  if (bytes.length > INPUT_BYTES_MAX) {
    return {
      exitCode: 2,
      stdout: '',
      stderr: `check-counters: input is ${bytes.length} bytes, over ${INPUT_BYTES_MAX}\n`,
    };
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const v = checkCounters(text, { json: parsed.values.json === true });
  return { exitCode: v.exitCode, stdout: v.stdout, stderr: v.stderr };
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  const r = runCheckCounters(process.argv.slice(2));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}
