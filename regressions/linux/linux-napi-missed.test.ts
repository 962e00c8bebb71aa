import { describe, expect, it } from 'vitest';
import { burst, runScenario, UDP_PORT, udpTo } from '../../model/linux/scenarios.ts';
import { checkLiveness } from '../../properties/liveness.ts';
import { only } from './linux-scenario.ts';

/**
 * 39e6c8208d7b "net: solve a NAPI race" (Eric Dumazet, 4.10): an IRQ firing while SCHED was still
 * held, right before napi_complete_done cleared it, was lost; packets sat on the ring until some
 * later interrupt (~200 ms RPC stalls). The fix: napi_schedule_prep sets MISSED, completion repolls.
 */
describe('NAPI: an IRQ in the completion window is not lost (NAPIF_STATE_MISSED)', () => {
  // Runnable order: nic, ksoftirqd/0. Packet 0 in; poll it; end the poll (IRQ re-armed, SCHED
  // still held); packet 1 arrives in that window; then napi_complete_done.
  const box = {
    config: { cpuCount: 1, sockets: [{ port: UDP_PORT }] },
    workload: { flows: [udpTo(0)], items: burst(2) },
    schedule: [0, 1, 1, 0],
  };

  it('fixed: the IRQ sets MISSED and the NAPI is polled again, both packets are read', () => {
    const r = runScenario(box);
    expect(only(r.trace, 'napi-poll')).toHaveLength(2);
    expect(only(r.trace, 'deliver')).toHaveLength(2);
    expect(checkLiveness(r.trace)).toEqual([]);
  });

  it('pre-fix (linux-napi-lost-schedule) strands packet 1 on the ring: liveness (INV-PROGRESS)', () => {
    const r = runScenario(box, ['linux-napi-lost-schedule']);
    expect(only(r.trace, 'deliver')).toHaveLength(1);
    const v = checkLiveness(r.trace);
    expect(v[0]?.rule).toBe('INV-PROGRESS');
    expect(v[0]?.message).toBe('1 workload items never reached the stack');
  });
});
