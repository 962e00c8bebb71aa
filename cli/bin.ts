#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `netstack-conformance <command> [args]`, the installed package's one executable. Each command's
 * module is imported only when asked for, so starting one does not load the others.
 */
const USAGE = `usage: netstack-conformance <command> [args]

commands:
  fuzz <policy-file> [options]    judge a dispatch policy on generated cases (fuzz --help)
  check-counters <file | ->       check the counter identities of real kernel output (check-counters --help)
  live [options]                  judge this machine's Linux kernel and compare it with the model (live --help)

exit codes: 0 held / every identity holds; 1 a violation (with its replay command); 2 bad usage or input;
130 / 143 stopped by SIGINT / SIGTERM (fuzz).`;

const ext = fileURLToPath(import.meta.url).endsWith('.ts') ? 'ts' : 'js';

async function run(command: string | undefined, args: readonly string[]): Promise<number | undefined> {
  switch (command) {
    case 'fuzz': {
      // The first worker boots while the command loads: both take about as long.
      const { prestartFuzzWorker } = await import(`./fuzz-prestart.${ext}`);
      prestartFuzzWorker(args);
      const { runFuzzCli } = await import(`./fuzz.${ext}`);
      await runFuzzCli(args, { command: ['npx', 'netstack-conformance', 'fuzz'] });
      return undefined;
    }
    case 'check-counters': {
      const { runCheckCounters } = await import(`./check-counters.${ext}`);
      const r = runCheckCounters(args);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.exitCode;
    }
    case 'live': {
      const live = new URL(`./live.${ext}`, import.meta.url);
      if (!existsSync(live)) {
        process.stderr.write('netstack-conformance: live is not available in this version\n');
        return 2;
      }
      const mod = await import(live.href);
      return typeof mod.main === 'function' ? Number(await mod.main(args)) : undefined;
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`netstack-conformance: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
      return 2;
  }
}

const [command, ...args] = process.argv.slice(2);
run(command, args).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `netstack-conformance: internal error: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exitCode = 2;
  },
);
