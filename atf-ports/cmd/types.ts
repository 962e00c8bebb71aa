import type { Host } from '../../model/net/host.ts';
import type { NetWorld } from '../../model/net/world.ts';

/** What a command run leaves behind: exit status and its two streams. */
export interface CmdResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a command can see: its host (RUMP_SERVER), the world, the case's files. */
export interface CmdContext {
  readonly host: Host;
  readonly world: NetWorld;
  readonly files: Map<string, string>;
}

export type Command = (ctx: CmdContext, argv: readonly string[]) => CmdResult;

export const success = (stdout = ''): CmdResult => ({ status: 0, stdout, stderr: '' });
export const failure = (stderr: string, status = 1, stdout = ''): CmdResult => ({ status, stdout, stderr });

/** Joins output lines with a trailing newline, as the tools print them. */
export const lines = (out: readonly string[]): string => (out.length === 0 ? '' : `${out.join('\n')}\n`);

/** Splits combined short options (`-na` -> `-n -a`) the way getopt sees them. */
export function splitShortOptions(argv: readonly string[], withValue: string): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (!/^-[a-zA-Z]{2,}$/.test(arg)) {
      out.push(arg);
      continue;
    }
    const letters = arg.slice(1).split('');
    for (let i = 0; i < letters.length; i++) {
      const letter = letters[i] as string;
      out.push(`-${letter}`);
      if (withValue.includes(letter) && i < letters.length - 1) {
        out.push(letters.slice(i + 1).join(''));
        break;
      }
    }
  }
  return out;
}
