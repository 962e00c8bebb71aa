import { describe, expect, it } from 'vitest';
import { cpuId } from '../brand.ts';
import type { Skb } from './env.ts';
import { FLOW_LIMIT_HISTORY } from './knobs.ts';
import { type FlowLimit, Softnet, skbFlowLimit } from './softnet.ts';

const fresh = (buckets: number): FlowLimit => ({
  history: new Array<number>(FLOW_LIMIT_HISTORY).fill(0),
  buckets: new Uint16Array(buckets),
  historyHead: 0,
  count: 0,
});

describe('struct softnet_data at boot (net/core/dev.c net_dev_init)', () => {
  it('starts idle: no softirq pending, no IPI listed, backlog NAPI unscheduled; flow_limit only on bitmap CPUs', () => {
    const sd = new Softnet(cpuId(3), 64, 16);
    expect([sd.softirqRaised, sd.inNetRxAction, sd.rpsIpiList, sd.pollList]).toEqual([false, false, [], []]);
    expect(sd.backlog).toEqual({
      name: 'backlog',
      cpu: 3,
      weight: 64,
      ring: undefined,
      sched: false,
      missed: false,
      irqArmed: false,
    });
    expect(sd.flowLimit?.history).toEqual(new Array(FLOW_LIMIT_HISTORY).fill(0));
    expect(sd.flowLimit?.buckets).toHaveLength(16);
    expect(new Softnet(cpuId(0), 64, undefined).flowLimit).toBeUndefined();
  });

  it('softnet_stat backlog_len counts both backlog queues (input_pkt_queue + process_queue)', () => {
    const sd = new Softnet(cpuId(0), 64, undefined);
    const skb = {} as Skb;
    sd.inputPktQueue.push(skb);
    sd.inputPktQueue.push(skb);
    sd.processQueue.push(skb);
    expect(sd.backlogLenPackets).toBe(3);
  });

  it('____napi_schedule raises NET_RX_SOFTIRQ only outside net_rx_action', () => {
    const sd = new Softnet(cpuId(0), 64, undefined);
    sd.inNetRxAction = true;
    sd.schedule(sd.backlog);
    expect(sd.softirqRaised).toBe(false);
    sd.inNetRxAction = false;
    sd.schedule(sd.backlog);
    expect(sd.softirqRaised).toBe(true);
    expect(sd.pollList).toHaveLength(2);
  });
});

// skb_flow_limit: "old_flow = fl->history[fl->history_head]; fl->history[fl->history_head] = new_flow;
// fl->history_head++; fl->history_head &= FLOW_LIMIT_HISTORY - 1; if (likely(fl->buckets[old_flow]))
// fl->buckets[old_flow]--; if (++fl->buckets[new_flow] > (FLOW_LIMIT_HISTORY >> 1)) { fl->count++; ... drop }"
describe('skb_flow_limit (R8)', () => {
  it('the history is a ring written forward from slot 0', () => {
    const fl = fresh(16);
    skbFlowLimit(fl, 0x3, 100, 200, false);
    skbFlowLimit(fl, 0x5, 100, 200, false);
    expect([fl.history[0], fl.history[1], fl.history[127], fl.historyHead]).toEqual([3, 5, 0, 2]);
  });

  it('the zero-filled history does not take a count from bucket 0 ("if (likely(fl->buckets[old_flow]))")', () => {
    const fl = fresh(16);
    expect(skbFlowLimit(fl, 0x10, 100, 200, false)).toBeUndefined();
    expect(fl.buckets[0]).toBe(1);
  });

  it('a lone flow fills at most the 128 slots: past 64 every packet is shed, its count stays 128', () => {
    const fl = fresh(16);
    const answers = Array.from({ length: 200 }, () => skbFlowLimit(fl, 0x7, 100, 200, false));
    expect(answers.slice(0, 64).every((a) => a === undefined)).toBe(true);
    expect(answers.slice(64, 128)).toEqual(Array.from({ length: 64 }, (_, i) => 65 + i));
    expect(answers.slice(128).every((a) => a === 128)).toBe(true);
    expect(fl.buckets[7]).toBe(128);
    expect(fl.buckets[0]).toBe(0);
    expect(fl.count).toBe(136);
  });

  it('two flows taking turns each hold 64 slots: none is over half, nothing is shed', () => {
    const fl = fresh(16);
    const answers = Array.from({ length: 300 }, (_, i) =>
      skbFlowLimit(fl, i % 2 === 0 ? 0x1 : 0x2, 100, 200, false),
    );
    expect(answers.every((a) => a === undefined)).toBe(true);
    expect([fl.buckets[1], fl.buckets[2], fl.count]).toEqual([64, 64, 0]);
  });

  it('below netdev_max_backlog / 2 the table is not touched', () => {
    const fl = fresh(16);
    expect(skbFlowLimit(fl, 0x7, 99, 200, false)).toBeUndefined();
    expect([fl.historyHead, fl.buckets[7]]).toEqual([0, 0]);
  });
});
