/**
 * The terminal around pasted tables: shell prompts, with or without the command typed after them,
 * and the lines commands print before their output (sudo's password prompt, watch's header). Read
 * by hand, character by character, in time linear in the line: a backtracking pattern over a
 * pasted megabyte line took minutes.
 *
 *   `[root@R2]~# netstat -Q`      `root@abaddon:/home/adrian # netstat -sp udp`   `$ cat /proc/net/snmp`
 *   `fw# netstat -Q`  `bash-5.1# cat ...`  `fw:~ % netstat -Q`  `> netstat -Q`  `PS C:\> ssh fw netstat -Q`
 *   `root@fbsd14:~ # ` (alone, right under a table)   coloured prompts (ANSI escapes are skipped)
 */

/**
 * CSI sequences (colours, bracketed paste), OSC ones (the terminal title bash's PS1 often sets), and
 * the short ones: a character set chosen (`ESC ( B`, which `tput sgr0` prints after every colour),
 * keypad modes (`ESC =`, `ESC >`, which zsh line editing prints around each prompt), cursor saves.
 */
// Each part stops at the next ESC, so a match never rescans text another one covered. CSI and OSC
// come first: their `[` and `]` are also final bytes of the short form (ECMA-48: ESC, intermediates
// 0x20-0x2F, then one final byte 0x30-0x7E).
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC and BEL are what the pattern strips.
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]/g;

/** A prompt's text before its `#`, `$`, `%` or `>` is short; past this many characters it is data. */
const PROMPT_PREFIX_CHARS_MAX = 160;

/** Words before the sign: `fw`, `user@host ~`, `(venv) [root@host ~]`, `PS C:\`; netstat -s phrases have more. */
const PROMPT_PREFIX_WORDS_MAX = 3;

/**
 * Commands people run to print counters, or to reach the machine that does. After a prompt of a
 * shape that could also be text (`fw#`, `> `), the command tells a prompt from data.
 */
const COMMANDS = new Set([
  'netstat',
  'cat',
  'sysctl',
  'nstat',
  'sudo',
  'doas',
  'su',
  'ssh',
  'jexec',
  'watch',
  'head',
  'tail',
  'less',
  'more',
  'grep',
  'egrep',
  'awk',
  'sed',
  'column',
  'tee',
  'for',
  'while',
  'sleep',
  'date',
  'uname',
  'echo',
  'clear',
  'ifconfig',
  'ethtool',
  'ip',
  'vmstat',
]);

/** Lines a command prints before its output: sudo asking for the password, watch(1)'s header. */
const COMMAND_NOISE = [/^\[sudo\] password for [^\s:]+:\s*$/, /^Password:\s*$/, /^Every \d+(?:\.\d+)?s: /];

const isSpace = (c: string | undefined) => c === ' ' || c === '\t';

/** Index of the prompt's sign: the first `#`, `$`, `%` or `>` followed by a blank or the end of the line. */
function signAt(text: string): number {
  const end = Math.min(text.length, PROMPT_PREFIX_CHARS_MAX + 1);
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if ((c === '#' || c === '$' || c === '%' || c === '>') && (i + 1 === text.length || isSpace(text[i + 1])))
      return i;
  }
  return -1;
}

/** `user@host`, `[root@R2]~`, `[root@host ~]`: shapes no counter table prints. */
const plainlyPrompt = (prefix: string) => prefix.includes('@') || prefix.startsWith('[');

function wordCount(text: string): number {
  let words = 0;
  for (let i = 0; i < text.length; i++) if (!isSpace(text[i]) && (i === 0 || isSpace(text[i - 1]))) words++;
  return words;
}

/** The command typed after a prompt: its first word, without a path (`/usr/bin/netstat`). */
function commandOf(rest: string): string {
  const word = rest.split(/[ \t]/, 1)[0] ?? '';
  return word.slice(word.lastIndexOf('/') + 1);
}

/** A shell prompt, alone or with the command typed after it. */
export function isPrompt(line: string | undefined): boolean {
  if (line === undefined) return false;
  const text = line.replace(ANSI_ESCAPE, '').trim();
  const sign = signAt(text);
  if (sign < 0) return false;
  const prefix = text.slice(0, sign).trim();
  const rest = text.slice(sign + 1).trim();
  // `# comment`, `$ cmd`, `% cmd`: a bare sign is a prompt (or a comment) whatever follows.
  if (prefix === '' && text[sign] !== '>') return true;
  // A count before the sign is a counter line's (`0 with ip length > max ...`); a host may start with one (`6bone#`).
  if (/^\d+(?:\s|$)/.test(prefix) || wordCount(prefix) > PROMPT_PREFIX_WORDS_MAX) return false;
  if (rest === '') return prefix === '' || plainlyPrompt(prefix) || wordCount(prefix) === 1;
  return plainlyPrompt(prefix) || COMMANDS.has(commandOf(rest));
}

/** A prompt, or a line a command prints before its table. */
export function isTerminalLine(line: string | undefined): boolean {
  return line !== undefined && (isPrompt(line) || COMMAND_NOISE.some((re) => re.test(line)));
}
