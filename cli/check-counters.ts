import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { INPUT_LINES_MAX } from '../counters/detect.ts';
import { checkCounters } from '../counters/index.ts';
import { LINE_CHARS_MAX } from '../counters/lines.ts';
import { COUNTER_RULES } from '../counters/rules.ts';
import { err, ok, type Result } from '../model/result.ts';
import { parseArgsMessage } from './args-message.ts';
import { type ReadLimits, readBoundedFd, readBoundedFile } from './bounded-read.ts';
import { terminalText } from './terminal-text.ts';

/**
 * `check-counters <file | -> [--json] [--qlimits-fixed]`: the suite's counter identities applied to real netstat -Q,
 * netstat -s, /proc/net/snmp, /proc/net/snmp6 and /proc/net/softnet_stat output.
 * Exit 0: every identity holds; 1: a row breaks one; 2: unreadable or malformed input, or bad usage.
 */
export const USAGE = 'usage: check-counters <file | -> [--json] [--qlimits-fixed]';

/** Input larger than this is refused while reading (real tables are a few kilobytes). */
export const INPUT_BYTES_MAX = 16 * 1024 * 1024;

const LIMITS: ReadLimits = { bytesMax: INPUT_BYTES_MAX, linesMax: INPUT_LINES_MAX };

/** `--help`: what is read, every identity in one line, exit codes, limits, options. */
export function helpText(): string {
  const rules = Object.entries(COUNTER_RULES).map(
    ([id, r]) => `  ${id.padEnd(5)} ${r.format.padEnd(14)} ${r.statement}`,
  );
  return [
    USAGE,
    '',
    'Checks the counter identities of real kernel output: FreeBSD netstat -Q (with or without section',
    'titles and the Setting header, FreeBSD 8 on), netstat -s and -ss (ip and udp checked, other protocols read),',
    'Linux /proc/net/snmp, /proc/net/snmp6 and /proc/net/softnet_stat.',
    'Several tables in one input are fine: back to back, or apart by blank lines and shell prompts (`$ `,',
    '`fw# `, `root@host:~ # `, `PS C:\\> `, coloured ones) with the command typed after them. A table',
    'printed twice in a row (a group, counter or CPU index seen again) is read as two snapshots.',
    'Per-second rate tables (netisrstat) are refused by name: they carry no identities.',
    '',
    'identities (rule id, format, statement):',
    ...rules,
    '',
    'options:',
    '  -          read standard input',
    '  --json     one JSON document on stdout instead of the text verdict',
    '  --qlimits-fixed',
    '             the netisr qlimits were not changed since boot: I-1 and N-9 are then checked against',
    "             today's QLimit. Without it a row that a run-time change explains (netisr_setqlimit keeps",
    '             WMark) gets a note, and I-1 bounds WMark by maxqlimit, N-9 needs WMark >= 1.',
    '  -h, --help this text',
    '',
    `limits: at most ${INPUT_BYTES_MAX} bytes (16 MiB) and ${INPUT_LINES_MAX} lines, refused while reading;`,
    `  a line over ${LINE_CHARS_MAX} characters is refused too (no kernel prints one near that long);`,
    '  counters are exact up to 2^64 - 1; printed input is escaped (\\x1b) and lines are capped.',
    '',
    'exit codes: 0 every identity holds; 1 a row breaks one; 2 unreadable, oversized or malformed input, or bad usage.',
  ].join('\n');
}

export interface CliResult {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/** Standard input as a reader; tests hand a buffer. */
export type StdinReader = () => Buffer | { over: string };

const usage = (why: string): CliResult => ({
  exitCode: 2,
  stdout: '',
  stderr: `check-counters: ${terminalText(why)}\n${USAGE}\n`,
});

const refused = (why: string): CliResult => ({
  exitCode: 2,
  stdout: '',
  stderr: `check-counters: ${terminalText(why)}\n`,
});

function readInput(path: string, stdin: StdinReader): Result<Buffer, string> {
  const name = path === '-' ? 'stdin' : path;
  try {
    const r = path === '-' ? stdin() : readBoundedFile(path, LIMITS);
    if (!Buffer.isBuffer(r)) return err(`${name} is ${r.over}: refused (see --help for the limits)`);
    if (r.length > INPUT_BYTES_MAX)
      return err(`${name} is over ${INPUT_BYTES_MAX} bytes: refused (see --help for the limits)`);
    return ok(r);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return err(`cannot read ${name}: ${code}`);
  }
}

function parseCli(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean' },
      'qlimits-fixed': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
}

export function runCheckCounters(
  argv: readonly string[],
  stdin: StdinReader = () => readBoundedFd(0, LIMITS),
): CliResult {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    return usage(parseArgsMessage(e));
  }
  if (parsed.values.help === true) return { exitCode: 0, stdout: `${helpText()}\n`, stderr: '' };
  const [path, ...extra] = parsed.positionals;
  if (path === undefined) return usage('no input: name a file, or - for stdin');
  if (extra.length > 0) return usage(`one input at a time (got ${parsed.positionals.length})`);
  const input = readInput(path, stdin);
  if (!input.ok) return refused(input.error);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(input.value);
  const json = parsed.values.json === true;
  const v = checkCounters(text, { json, qlimitsFixed: parsed.values['qlimits-fixed'] === true });
  // JSON escapes control characters itself; the text verdict and every message are made safe here.
  return {
    exitCode: v.exitCode,
    stdout: json ? v.stdout : terminalText(v.stdout),
    stderr: terminalText(v.stderr),
  };
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  const r = runCheckCounters(process.argv.slice(2));
  // `check-counters f | head` closes the pipe before the verdict is written: the reader wanted no
  // more of it, so end with the verdict's exit code rather than a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(r.exitCode);
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}
