import { main } from './fuzz-command.ts';

/** Entry of `npm run fuzz`: the command itself is cli/fuzz-command.ts, so tests can run it in process. */
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fuzz: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
