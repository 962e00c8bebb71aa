import { readFileSync } from 'node:fs';
import { machine, release } from 'node:os';
import { cpuCountOnline, missingCapability, missingSysctl } from './capabilities.ts';
import { Cleanup } from './cleanup.ts';
import { familyOf, LIVE_GLOBAL_SYSCTLS, type LiveConfig, liveConfigError } from './config.ts';
import { applyGlobals, restoreStaleGlobals } from './globals.ts';
import type { LiveRecording } from './recording.ts';
import { pidAlive, readSysctl, run, runIn } from './system.ts';
import {
  configureQueues,
  createTopology,
  LIVE_PREFIX,
  type LiveNames,
  liveNames,
  MLD_SETTLE_MS,
  staleNamespaces,
} from './topology.ts';
import { removeStaleInstances, TraceInstance, tracefsRoot } from './tracefs.ts';
import { runWorkload } from './workload.ts';

/** Per-CPU trace buffer: about 5 lines of ~250 bytes per packet, with room to spare. */
const TRACE_BUFFER_KB = 16_384;

export type LiveOutcome =
  | { readonly kind: 'bad-input'; readonly message: string }
  | {
      readonly kind: 'ran';
      readonly recording: LiveRecording;
      readonly cleanupErrors: readonly string[];
      readonly sendMs: number;
    };

/** Bad input or a machine that cannot run it: the one line to print, or undefined. */
export function liveInputError(c: LiveConfig): string | undefined {
  return (
    missingCapability() ??
    liveConfigError(c, cpuCountOnline()) ??
    missingSysctl(LIVE_GLOBAL_SYSCTLS.filter((name) => c.sysctl[name] !== undefined))
  );
}

/** Removes what killed runs left behind: namespaces, tracefs instances, global sysctls. */
function removeStale(root: string): void {
  for (const ns of staleNamespaces(run('ip', ['netns', 'list']), pidAlive)) run('ip', ['netns', 'del', ns]);
  removeStaleInstances(root);
  restoreStaleGlobals();
}

async function record(c: LiveConfig, n: LiveNames, cleanup: Cleanup) {
  const root = tracefsRoot(cleanup);
  removeStale(root);
  const family = familyOf(c);
  createTopology(n, c.queues, family, cleanup);
  const globals = applyGlobals(c.sysctl, cleanup);
  if (globals !== undefined) return globals;
  configureQueues(n, c.queues, c.sysctl['rx-N/rps_cpus'] ?? 0, c.sysctl['rx-N/rps_flow_cnt'] ?? 0);
  const trace = c.trace
    ? new TraceInstance(root, `${LIVE_PREFIX}${n.id}`, n.rxDev, family, TRACE_BUFFER_KB, cleanup)
    : undefined;
  const inet6 = family === 'inet6';
  // IPv6's own MLD reports from the sender's namespace would share the traced receive path.
  if (inet6) await new Promise((done) => setTimeout(done, MLD_SETTLE_MS));
  const snmp = () => runIn(n.rxNs, 'cat', ['/proc/net/snmp']);
  // The Udp6 row is in snmp6 (IPv6 runs only).
  const snmp6 = () => (inet6 ? runIn(n.rxNs, 'cat', ['/proc/net/snmp6']) : '');
  const softnet = () => readFileSync('/proc/net/softnet_stat', 'utf8');
  const snmpBefore = snmp();
  const snmp6Before = snmp6();
  const softnetBefore = softnet();
  trace?.on();
  const w = await runWorkload(c, n, cleanup);
  trace?.off();
  const softnetAfter = softnet();
  const snmpAfter = snmp();
  const snmp6After = snmp6();
  const lines = trace?.read() ?? { lines: [], overrun: 0 };
  const rpsMask = runIn(n.rxNs, 'cat', [`/sys/class/net/${n.rxDev}/queues/rx-0/rps_cpus`])
    .trim()
    .replaceAll(',', '');
  const recording: LiveRecording = {
    format: 'netstack-live-recording/1',
    kernelRelease: release(),
    cpuCount: cpuCountOnline(),
    config: c,
    device: n.rxDev,
    rpsCpusMask: Number.parseInt(rpsMask, 16),
    maxBacklog: Number(readSysctl('net.core.netdev_max_backlog')),
    sent: w.sent,
    read: w.read,
    traceLines: lines.lines,
    overrun: lines.overrun,
    softnetBefore,
    softnetAfter,
    snmpBefore,
    snmpAfter,
    ...(inet6 ? { snmp6Before, snmp6After } : {}),
    machine: machine(),
    ...cpuLists(),
  };
  return { recording, sendMs: w.sendMs };
}

/** /sys/devices/system/cpu/present and online (`0-1`), or neither where they cannot be read. */
function cpuLists(): { cpusPresent: string; cpusOnline: string } | Record<string, never> {
  try {
    const list = (which: string) => readFileSync(`/sys/devices/system/cpu/${which}`, 'utf8').trim();
    return { cpusPresent: list('present'), cpusOnline: list('online') };
  } catch {
    return {};
  }
}

/**
 * One live run: check the machine and the configuration, build the topology, apply the knobs,
 * record the workload, undo everything (on every way out). Judging the recording is the harness's
 * (harness/live-judge.ts): this layer only records.
 */
export async function runLive(c: LiveConfig): Promise<LiveOutcome> {
  const bad = liveInputError(c);
  if (bad !== undefined) return { kind: 'bad-input', message: bad };
  const cleanup = new Cleanup();
  cleanup.arm();
  let got: Awaited<ReturnType<typeof record>>;
  try {
    got = await record(c, liveNames(), cleanup);
  } finally {
    cleanup.runAll();
  }
  if (typeof got === 'string') return { kind: 'bad-input', message: got };
  return {
    kind: 'ran',
    recording: got.recording,
    cleanupErrors: cleanup.errors,
    sendMs: got.sendMs,
  };
}

export { LIVE_GLOBAL_SYSCTLS };
