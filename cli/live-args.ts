import { parseArgs } from 'node:util';
import { type LiveConfig, presetConfig } from '../live/config.ts';
import { err, ok, type Result } from '../model/result.ts';
import { joinNegativeValues, parseArgsMessage, valueFlagsOf } from './args-message.ts';

export const LIVE_USAGE = `usage: npm run live -- [--preset default|overload|rfs|rfs-connected|single-cpu] [--queues N] [--flows N]
                     [--packets N] [--payload BYTES] [--sender-cpu C] [--receiver-cpu C] [--rcvbuf BYTES]
                     [--read-delay-ms MS] [--duration S] [--sysctl NAME=VALUE]... [--connected] [--ipv6] [--no-trace]
                     [--json] [--report FILE.html] [--save FILE.json]`;

export interface LiveOptions {
  readonly config: LiveConfig;
  readonly json: boolean;
  readonly reportFile: string | undefined;
  readonly saveFile: string | undefined;
}

const OPTIONS = {
  preset: { type: 'string' },
  queues: { type: 'string' },
  flows: { type: 'string' },
  packets: { type: 'string' },
  payload: { type: 'string' },
  'sender-cpu': { type: 'string' },
  'receiver-cpu': { type: 'string' },
  rcvbuf: { type: 'string' },
  'read-delay-ms': { type: 'string' },
  duration: { type: 'string' },
  sysctl: { type: 'string', multiple: true },
  'no-trace': { type: 'boolean' },
  connected: { type: 'boolean' },
  ipv6: { type: 'boolean' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  save: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const whole = (flag: string, text: string): Result<number, string> =>
  /^\d+$/.test(text) ? ok(Number(text)) : err(`${flag} ${text}: want a whole number`);

/** A sysctl value as the model writes it: decimal, or 0x-hex for masks. */
function sysctlValue(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

const NUMERIC: readonly [keyof typeof OPTIONS, keyof LiveConfig, number][] = [
  ['queues', 'queues', 1],
  ['flows', 'flows', 1],
  ['packets', 'packets', 1],
  ['payload', 'payloadBytes', 1],
  ['sender-cpu', 'senderCpu', 1],
  ['receiver-cpu', 'receiverCpu', 1],
  ['rcvbuf', 'rcvbufBytes', 1],
  ['read-delay-ms', 'readDelayMs', 1],
  ['duration', 'durationMs', 1000],
];

/** The options, or one line saying what is wrong (range checks against the machine come later). */
export function parseLiveArgs(
  argv: readonly string[],
  cpuCount: number,
): Result<LiveOptions | 'help', string> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: false }>>;
  try {
    const args = joinNegativeValues(argv, valueFlagsOf(OPTIONS));
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
  } catch (e) {
    return err(parseArgsMessage(e));
  }
  const v = parsed.values;
  if (v.help === true) return ok('help');
  const chosen = presetConfig(v.preset ?? 'default', cpuCount);
  if (!chosen.ok) return chosen;
  const preset = chosen.value;
  const config: Record<string, unknown> = { ...preset, sysctl: { ...preset.sysctl } };
  for (const [flag, key, scale] of NUMERIC) {
    const text = v[flag];
    if (typeof text !== 'string') continue;
    const n = whole(`--${flag}`, text);
    if (!n.ok) return n;
    config[key] = n.value * scale;
  }
  for (const kv of v.sysctl ?? []) {
    const [name, text] = kv.split('=', 2);
    const value = sysctlValue(text ?? '');
    if (name === undefined || value === undefined)
      return err(`--sysctl ${kv}: want NAME=VALUE (decimal, or 0x hex)`);
    (config.sysctl as Record<string, number>)[name] = value;
  }
  if (v['no-trace'] === true) config.trace = false;
  if (v.connected === true) config.connected = true;
  if (v.ipv6 === true) config.family = 'inet6';
  return ok({
    config: config as unknown as LiveConfig,
    json: v.json === true,
    reportFile: v.report,
    saveFile: v.save,
  });
}
