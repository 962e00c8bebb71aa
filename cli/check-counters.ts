import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeCounterInput } from '../counters/decode.ts';
import { INPUT_LINES_MAX } from '../counters/detect.ts';
import { type CounterReading, checkCounters, parseLinuxRelease } from '../counters/index.ts';
import { LINE_CHARS_MAX } from '../counters/lines.ts';
import { COUNTER_RULES } from '../counters/rules.ts';
import { err, ok, type Result } from '../model/result.ts';
import { parseArgsMessage } from './args-message.ts';
import { type ReadLimits, readBoundedFd, readBoundedFile } from './bounded-read.ts';
import { terminalText } from './terminal-text.ts';

/**
 * `check-counters <file | -> [--json] [facts about the machine]`: the suite's counter identities applied to real
 * netstat -Q, netstat -s, /proc/net/snmp, /proc/net/snmp6 and /proc/net/softnet_stat output.
 * Exit 0: every identity holds; 1: a row breaks one; 2: unreadable or malformed input, or bad usage.
 */
export const USAGE =
  'usage: check-counters <file | -> [--json] [--qlimits-fixed] [--counters-64bit] [--quiescent] [--all-cpus-online] [--linux-release <uname -r>]';

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
    'what you know about the machine: each fact rules out a healthy history that one snapshot cannot',
    'tell from a fault, and makes the identities it bends exact. Without it a row that history explains',
    'gets a note under "What the numbers say" naming both readings, not a finding:',
    '  --qlimits-fixed',
    '             the netisr qlimits were not changed since boot: I-1 and N-9 are then checked against',
    "             today's QLimit. Without it a row that a run-time change explains (netisr_setqlimit keeps",
    '             WMark) gets a note, and I-1 bounds WMark by maxqlimit, N-9 needs WMark >= 1.',
    '  --counters-64bit',
    '             the kernel keeps its counters in 64 bits (a 64-bit Linux; FreeBSD 10 and later, or amd64):',
    '             C-1, F-20 and U5 are then exact. Without it a table whose every count fits in 32 bits may',
    '             come from a 32-bit kernel, whose u_long / unsigned long counters wrap at 2^32.',
    '  --quiescent',
    '             nothing was counted while the tables were read (an idle host): U5, F-20 and R8 are then',
    '             exact. Without it a shortfall a read can take while drops are counted (at most 300, or',
    '             1/1024 of the count) gets a note: the kernel bumps one counter, then the other.',
    '  --all-cpus-online',
    '             every CPU was online when softnet_stat was read: R8 is then checked. Without it drops RPS',
    '             sent to a CPU offline now (softnet_stat lists online CPUs only) may be missing: a note.',
    '  --linux-release <uname -r>',
    '             the Linux that printed the tables: from 2.6.14 the 9-column softnet_stat prints 0 in',
    '             columns 4 to 8, checked by C-2; before, they may be throttled and the fastroute counts.',
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
      'counters-64bit': { type: 'boolean' },
      quiescent: { type: 'boolean' },
      'all-cpus-online': { type: 'boolean' },
      'linux-release': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
}

/** The facts about the machine the flags state; a --linux-release that is no release is bad usage. */
function machineFacts(values: ReturnType<typeof parseCli>['values']): Result<CounterReading, string> {
  const facts: CounterReading = {
    qlimitsFixed: values['qlimits-fixed'] === true,
    counters64bit: values['counters-64bit'] === true,
    quiescent: values.quiescent === true,
    allCpusOnline: values['all-cpus-online'] === true,
  };
  const text = values['linux-release'];
  if (text === undefined) return ok(facts);
  const linuxRelease = parseLinuxRelease(text);
  if (linuxRelease === undefined)
    return err(`--linux-release ${text.slice(0, 40)}: want what uname -r prints, e.g. 2.6.18-419.el5`);
  return ok({ ...facts, linuxRelease });
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
  const known = machineFacts(parsed.values);
  if (!known.ok) return usage(known.error);
  const input = readInput(path, stdin);
  if (!input.ok) return refused(input.error);
  const text = decodeCounterInput(input.value);
  const json = parsed.values.json === true;
  const v = checkCounters(text, { json, ...known.value });
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
