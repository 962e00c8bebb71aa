import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runAndJudgeLive } from '../harness/live-run.ts';
import { cpuCountOnline } from '../live/capabilities.ts';
import { describeLiveConfig } from '../live/config.ts';
import { renderReport } from '../report/index.ts';
import { LIVE_USAGE, parseLiveArgs } from './live-args.ts';
import { liveJson, liveText } from './live-text.ts';

/**
 * `npm run live -- [options]`: drive this machine's kernel through a workload, judge its trace with
 * the suite's checkers and compare it with the model. Exit 0: everything held and agreed; 1: a
 * property, a counter or the differential failed; 2: bad input or a missing capability.
 */
export async function main(
  argv: readonly string[],
  runLive: typeof runAndJudgeLive = runAndJudgeLive,
): Promise<number> {
  const parsed = parseLiveArgs(argv, cpuCountOnline());
  if (!parsed.ok) {
    process.stderr.write(`live: ${parsed.error}\n`);
    return 2;
  }
  if (parsed.value === 'help') {
    process.stdout.write(`${LIVE_USAGE}\n`);
    return 0;
  }
  const opts = parsed.value;
  for (const [flag, file] of [
    ['--report', opts.reportFile],
    ['--save', opts.saveFile],
  ] as const) {
    if (file !== undefined && !existsSync(dirname(file))) {
      process.stderr.write(`live: ${flag} ${file}: no such directory ${dirname(file)}\n`);
      return 2;
    }
  }
  let out: Awaited<ReturnType<typeof runAndJudgeLive>>;
  try {
    out = await runLive(opts.config);
  } catch (err) {
    // A command or kernel file failing mid-run (what was made is undone on the way out): the
    // machine cannot run this, said in one line.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`live: the run stopped: ${message.split('\n')[0]}\n`);
    return 2;
  }
  if (out.kind === 'bad-input') {
    process.stderr.write(`live: ${out.message}\n`);
    return 2;
  }
  const config = describeLiveConfig(opts.config);
  const unwritten: string[] = [];
  if (opts.saveFile !== undefined)
    unwritten.push(...writeOutput('--save', opts.saveFile, `${JSON.stringify(out.recording)}\n`));
  if (opts.reportFile !== undefined) {
    const v = out.verdict.properties.flatMap((p) => p.violations)[0];
    unwritten.push(
      ...writeOutput(
        '--report',
        opts.reportFile,
        renderReport({
          property: v?.property ?? 'every property',
          verdict: v === undefined ? 'held' : 'violated',
          rule: v?.rule ?? '',
          message: v?.message ?? `live trace of Linux ${out.verdict.kernelRelease}: every property held`,
          trace: out.verdict.trace,
          highlight: v?.events ?? [],
          config,
          replayCommand: `npm run live -- ${argv.join(' ')}`,
          netstatQ: '',
          policyName: out.verdict.differential.policy,
        }),
      ),
    );
  }
  process.stdout.write(opts.json ? liveJson(out.verdict, config) : liveText(out.verdict, config));
  for (const e of [...out.cleanupErrors, ...unwritten]) process.stderr.write(`live: ${e}\n`);
  if (!out.verdict.ok || out.cleanupErrors.length > 0) return 1;
  // The verdict held, but a file asked for could not be written: not done as asked.
  return unwritten.length > 0 ? 2 : 0;
}

/** Writes an output file; the line saying why it could not, if it could not. */
function writeOutput(flag: string, file: string, text: string): string[] {
  try {
    writeFileSync(file, text);
    return [];
  } catch (err) {
    return [`${flag} ${file}: cannot write it: ${err instanceof Error ? err.message : String(err)}`];
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  process.exitCode = await main(process.argv.slice(2));
}
