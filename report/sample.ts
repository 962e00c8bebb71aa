import { type RunResult, runHost } from '../model/host/run.ts';
import { packets, tcpFlow, udpFlow } from '../model/host/scenario.ts';
import roundRobin from '../policies/unsafe/round-robin.ts';
import { checkFlowOrder } from '../properties/ordering.ts';
import type { Violation } from '../properties/violation.ts';
import type { ReportInput } from './types.ts';

/**
 * A real counterexample to draw: the unsafe round-robin policy on 4 CPUs, which sprays a flow's
 * packets over the netisr threads; a fixed, spread-out schedule lets a later packet be handled
 * first (flow-order, N-20), and tiny ip queues make drops (QDrops). `packetCount` scales the trace
 * (about 7 to 8 events per packet). Deterministic: the schedule is a fixed arithmetic sequence.
 */
export function sampleReportInput(packetCount: number): ReportInput {
  const flows = [tcpFlow(1), udpFlow(2), tcpFlow(3), udpFlow(4), tcpFlow(5)];
  const schedule = Array.from({ length: packetCount * 12 }, (_, k) =>
    k % 9 < 4 ? 0 : (k * 7 + (k >> 3)) % 11,
  );
  const items = packets(Array.from({ length: packetCount }, (_, k) => (k * 3 + (k >> 2)) % flows.length));
  const config = {
    cpuCount: 4,
    rxRingCount: 2,
    sysctl: { 'net.isr.maxthreads': -1, 'net.isr.dispatch': 'deferred' as const },
    qlimits: { ip: 3 },
  };
  const run = runHost({ config, workload: { flows, items }, schedule, policy: roundRobin });
  if (typeof run === 'string') throw new Error(run);
  const v = checkFlowOrder(run.trace)[0];
  if (v === undefined) throw new Error('the sample schedule no longer reorders a flow');
  // No fuzz run found this case, so the replay line says where it is built instead.
  const replayCommand = `sampleReportInput(${packetCount}) in report/sample.ts: policies/unsafe/round-robin.ts, 4 CPUs, a fixed schedule`;
  return inputOf(run, v, replayCommand);
}

function inputOf(run: RunResult, v: Violation, replayCommand: string): ReportInput {
  return {
    property: v.property,
    rule: v.rule,
    message: v.message,
    trace: run.trace,
    highlight: v.events,
    config: run.config,
    replayCommand,
    netstatQ: run.netstatQ,
    policyName: run.policyName,
  };
}
