import { knobError } from '../../model/knobs.ts';
import { isNetKnob, netKnobs } from '../../model/net/knobs.ts';
import { type CmdContext, type CmdResult, failure, lines, success } from './types.ts';

/** sysctl(8): read (`name = value`, -n bare), write with -w (`name: old -> new`), -q quiet. */
export function sysctl(ctx: CmdContext, argv: readonly string[]): CmdResult {
  const write = argv.includes('-w');
  const bare = argv.includes('-n');
  const quiet = argv.includes('-q');
  const out: string[] = [];
  for (const arg of argv.filter((a) => !a.startsWith('-'))) {
    const [name = '', valueText] = arg.split('=');
    if (!isNetKnob(name)) return failure(`sysctl: ${name}: no such variable\n`);
    const old = ctx.host.sysctl[name];
    if (write && valueText !== undefined) {
      const value = Number(valueText);
      const problem = knobError(name, netKnobs[name], value);
      if (problem !== undefined) return failure(`sysctl: ${name}: Invalid argument\n`);
      (ctx.host.sysctl as Record<string, number>)[name] = value;
      if (!quiet) out.push(`${name}: ${old} -> ${value}`);
      continue;
    }
    if (!quiet) out.push(bare ? String(old) : `${name} = ${old}`);
  }
  return success(lines(out));
}
