import { describe, expect, it } from 'vitest';
import { burst, runScenario, UDP_PORT, udpTo } from '../../model/linux/scenarios.ts';
import { checkLinuxRpsIpi } from '../../properties/linux-rps-ipi.ts';
import { only } from './linux-scenario.ts';

/**
 * net/core/dev.c process_backlog: "Check if we have pending ipi, its better to send them now, not
 * waiting net_rx_action() end" (sd_has_rps_ipi_waiting -> net_rps_action_and_irq_enable), and
 * napi_schedule_rps raises NET_RX_SOFTIRQ only outside net_rx_action ("net: optimize
 * napi_schedule_rps()", 6.4). This model sent RPS IPIs only at the end of net_rx_action.
 */
describe('RPS IPIs go out when process_backlog starts (R10)', () => {
  // One ring on CPU 0; rps_map spreads four flows over CPUs 0 and 1, so CPU 0's ring poll queues
  // to its own backlog and to CPU 1's in the same net_rx_action, then polls its own backlog.
  const box = {
    config: { cpuCount: 2, ringCpus: [0], sysctl: { 'rx-N/rps_cpus': 0b11 }, sockets: [{ port: UDP_PORT }] },
    workload: { flows: [udpTo(0), udpTo(1), udpTo(2), udpTo(3)], items: burst(16, [0, 1, 2, 3]) },
  };

  it('fixed: CPU 1 is kicked before CPU 0 takes its own backlog', () => {
    const r = runScenario(box);
    expect(checkLinuxRpsIpi(r.trace)).toEqual([]);
    const ipi = r.trace.findIndex((e) => e.kind === 'ipi' && e.reason === 'rps' && e.toCpu === 1);
    const batch = r.trace.findIndex((e) => e.kind === 'batch' && e.cpu === 0);
    expect(ipi).toBeGreaterThan(0);
    expect(batch).toBeGreaterThan(ipi);
    expect(only(r.trace, 'enqueue').some((e) => e.cpu === 1)).toBe(true);
  });

  it('pre-fix (linux-rps-ipi-at-end) is caught by linux-rps-ipi (R10)', () => {
    const v = checkLinuxRpsIpi(runScenario(box, ['linux-rps-ipi-at-end']).trace);
    expect(v[0]?.rule).toBe('R10');
    expect(v[0]?.message).toMatch(
      /^cpu 0 process_backlog took \d+ packets while its RPS IPI to cpu 1 \(owed since event #\d+\) was still unsent$/,
    );
  });
});
