import { judgeRecording } from '../harness/live-judge.ts';
import { cpuCountOnline, missingCapability } from '../live/capabilities.ts';
import { defaultLiveConfig, type LiveConfig } from '../live/config.ts';
import { runLive } from '../live/run.ts';

/**
 * `npm run bench:live`: the live layer on this machine's kernel. The same workload (the default
 * configuration, a large socket buffer so nothing drops) runs alternately with and without the
 * tracefs recording; the sender's packets/s of each, the tracing overhead between them, and how
 * fast a recording is converted and judged (packets recorded/s).
 */
const ROUNDS = 3;
const PACKETS = 4000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function sendRate(
  c: LiveConfig,
): Promise<{ pps: number; recording?: Awaited<ReturnType<typeof runLive>> }> {
  const out = await runLive(c);
  if (out.kind !== 'ran') throw new Error(out.message);
  return { pps: (out.recording.sent.length * 1000) / out.sendMs, recording: out };
}

async function main(): Promise<number> {
  const missing = missingCapability();
  if (missing !== undefined) {
    process.stderr.write(`bench:live: ${missing}\n`);
    return 2;
  }
  const base: LiveConfig = { ...defaultLiveConfig(cpuCountOnline()), packets: PACKETS, rcvbufBytes: 4 << 20 };
  const traced: number[] = [];
  const plain: number[] = [];
  const judged: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = await sendRate(base);
    traced.push(t.pps);
    plain.push((await sendRate({ ...base, trace: false })).pps);
    if (t.recording?.kind === 'ran') {
      const rec = t.recording.recording;
      const t0 = process.hrtime.bigint();
      judgeRecording(rec);
      judged.push((rec.sent.length * 1e9) / Number(process.hrtime.bigint() - t0));
    }
  }
  const [withTrace, without] = [median(traced), median(plain)];
  process.stdout.write(
    [
      `live bench: ${PACKETS} packets x ${ROUNDS} rounds, default configuration, medians`,
      `  sender with tracing     ${withTrace.toFixed(0)} packets/s (packets recorded/s)`,
      `  sender without tracing  ${without.toFixed(0)} packets/s`,
      `  tracing overhead        ${((1 - withTrace / without) * 100).toFixed(1)}%`,
      `  convert + judge         ${median(judged).toFixed(0)} packets/s`,
      '',
    ].join('\n'),
  );
  return 0;
}

process.exitCode = await main();
