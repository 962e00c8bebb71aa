import type { LiveConfig } from '../live/config.ts';
import { type LiveOutcome, runLive } from '../live/run.ts';
import type { PolicySource } from '../model/policy.ts';
import { judgeRecording, type LiveVerdict } from './live-judge.ts';

/** A live run and its verdict: what `npm run live` and `npm run bench:live` report. */
export type JudgedLiveOutcome =
  | Extract<LiveOutcome, { kind: 'bad-input' }>
  | (Extract<LiveOutcome, { kind: 'ran' }> & { readonly verdict: LiveVerdict });

/**
 * Records a workload on this machine's kernel (live/), then judges the recording with the
 * suite's checkers and the differential against the model (`model` stands in for the kernel's
 * steering when given: a deliberately wrong rule, in the teeth tests).
 */
export async function runAndJudgeLive(c: LiveConfig, model?: PolicySource): Promise<JudgedLiveOutcome> {
  const outcome = await runLive(c);
  if (outcome.kind !== 'ran') return outcome;
  return { ...outcome, verdict: judgeRecording(outcome.recording, model) };
}
