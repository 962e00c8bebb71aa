import { assert, type CpuId, type ThreadId } from '../brand.ts';
import type { Actor, ThreadKind } from '../sim/simulator.ts';
import { skbDeferFreeFlush } from './defer.ts';
import { allocSkb, type LinuxEnv, type RunOn } from './env.ts';
import { skbTruesizeBytes, UDP4_HEADERS_BYTES } from './knobs.ts';
import type { LinuxRx } from './rx.ts';
import type { Napi, Softnet } from './softnet.ts';

/** A step does at most this many poll boundaries before it must have moved a packet. */
const STEP_BOUNDARIES_MAX = 4096;

interface Poll {
  readonly napi: Napi;
  readonly startNs: number;
  readonly budgetBefore: number;
  work: number;
}

/** Appends every NAPI of `from` to `to`, oldest first, and empties `from` (no array is made). */
function moveAll(from: Napi[], to: Napi[]): void {
  for (const n of from) to.push(n);
  from.length = 0;
}

/**
 * The driver's hard IRQ (napi_schedule via napi_schedule_prep): if SCHED is free, take it and put
 * the NAPI on the CPU's poll list; if it is held, set MISSED so napi_complete_done polls again
 * (39e6c8208d7b "net: solve a NAPI race"). The IRQ stays off until the driver re-arms it.
 */
export function napiIrq(env: LinuxEnv, napi: Napi, sd: Softnet): void {
  if (!napi.irqArmed) return;
  napi.irqArmed = false;
  if (napi.sched) {
    if (!env.has('linux-napi-lost-schedule')) napi.missed = true;
    return;
  }
  napi.sched = true;
  sd.schedule(napi);
}

/**
 * NET_RX_SOFTIRQ on one CPU: net_rx_action (net/core/dev.c), run as a step machine so other
 * threads interleave between two packets. One step moves one packet (a device poll takes it off
 * its ring, process_backlog off process_queue); poll boundaries, the defer-list flush (D6) and
 * the budget / time-limit test (N1) happen between packets, inside the same step.
 */
export class NetRxAction implements Actor {
  readonly id: ThreadId;
  readonly name: string;
  readonly kind: ThreadKind = 'softirq';
  readonly cpu: CpuId;
  readonly #env: LinuxEnv;
  readonly #sd: Softnet;
  readonly #softnets: readonly Softnet[];
  readonly #rx: LinuxRx;
  #running = false;
  #budget = 0;
  #timeLimitJiffies = 0;
  /** The poll list this run took (list_splice_init), and the NAPIs to poll again: emptied, never replaced. */
  readonly #list: Napi[] = [];
  readonly #repoll: Napi[] = [];
  #poll: Poll | undefined;
  /** Device NAPIs between re-arming the IRQ and clearing SCHED (napi_complete_done). */
  #completing: Napi[] = [];
  /** This thread, as the receive path is told where it runs (one for the run: it is only read). */
  readonly #on: RunOn;

  constructor(id: ThreadId, env: LinuxEnv, sd: Softnet, softnets: readonly Softnet[], rx: LinuxRx) {
    this.id = id;
    this.cpu = sd.cpu;
    this.name = `ksoftirqd/${sd.cpu}`;
    this.#env = env;
    this.#sd = sd;
    this.#softnets = softnets;
    this.#rx = rx;
    this.#on = { cpu: this.cpu, thread: id };
  }

  get running(): boolean {
    return this.#running;
  }

  runnable(): boolean {
    return this.#running || this.#sd.softirqRaised || this.#completing.length > 0;
  }

  step(): void {
    if (this.#completing.length > 0) {
      this.#napiCompleteDone();
      return;
    }
    if (!this.#running) this.#begin();
    for (let i = 0; i < STEP_BOUNDARIES_MAX; i++) {
      if (this.#poll === undefined && !this.#nextPoll()) return;
      const poll = this.#poll;
      assert(poll !== undefined, 'N1: a poll is in progress');
      if (this.#pollOne(poll)) return;
      if (this.#endPoll(poll)) return;
    }
    assert(false, 'N1: net_rx_action made no progress within a step');
  }

  #jiffies(): number {
    return Math.floor(this.#env.clock.nowNs / this.#env.cfg.jiffyNs);
  }

  #begin(): void {
    const cfg = this.#env.cfg;
    this.#running = true;
    this.#sd.softirqRaised = false;
    this.#budget = cfg.sysctl['net.core.netdev_budget'];
    const usecsJiffies = Math.ceil((cfg.sysctl['net.core.netdev_budget_usecs'] * 1000) / cfg.jiffyNs);
    this.#timeLimitJiffies = this.#jiffies() + usecsJiffies;
    moveAll(this.#sd.pollList, this.#list);
    this.#sd.inNetRxAction = true;
    this.#record('start', false);
  }

  /** Top of a pass: flush the defer list, then take the head NAPI, or end the run. */
  #nextPoll(): boolean {
    skbDeferFreeFlush(this.#env, this.#sd);
    if (this.#list.length === 0 && this.#repoll.length === 0) {
      // goto start: NAPIs scheduled during this run, with nothing waiting on repoll, run in it
      // (the kernel tests !list_empty(&sd->poll_list) first; splicing an empty list is the same).
      moveAll(this.#sd.pollList, this.#list);
    }
    const head = this.#list.shift();
    if (head === undefined) {
      this.#finish(false);
      return false;
    }
    this.#poll = { napi: head, startNs: this.#env.clock.nowNs, budgetBefore: this.#budget, work: 0 };
    // process_backlog: "Check if we have pending ipi, its better to send them now, not waiting
    // net_rx_action() end" (sd_has_rps_ipi_waiting -> net_rps_action_and_irq_enable, R10).
    if (head.ring === undefined && !this.#env.has('linux-rps-ipi-at-end')) this.#sendRpsIpis();
    return true;
  }

  /** Moves one packet for the current poll; false when the poll is over. */
  #pollOne(poll: Poll): boolean {
    const n = poll.napi;
    const weightOk =
      poll.work < n.weight || (n.ring !== undefined && this.#env.has('linux-napi-weight-ignored'));
    if (!weightOk) return false;
    const on = this.#on;
    if (n.ring !== undefined) {
      const pkt = n.ring.packets.shift();
      if (pkt === undefined) return false;
      const truesize = skbTruesizeBytes(pkt.payloadBytes + UDP4_HEADERS_BYTES);
      this.#rx.receive(allocSkb(this.#env, pkt, pkt.id, this.cpu, truesize), on);
      poll.work++;
      return true;
    }
    // process_backlog (N5): drain process_queue; when empty, splice input_pkt_queue into it.
    if (this.#sd.processQueue.length === 0) {
      const taken = this.#sd.inputPktQueue.takeAll();
      if (taken.length === 0) return false;
      for (const skb of taken) this.#sd.processQueue.push(skb);
      this.#env.trace.record({
        kind: 'batch',
        atNs: this.#env.clock.nowNs,
        proto: 'ip',
        cpu: this.cpu,
        thread: this.id,
        packets: taken.length,
      });
    }
    const skb = this.#sd.processQueue.shift();
    assert(skb !== undefined, 'N5: process_queue holds the spliced packets');
    this.#rx.receiveCore(skb, on);
    // Before 6.10, input_queue_head_incr after each __netif_receive_skb (R9); from 6.10 the
    // poll's work is added once when it returns (#endPoll).
    if (!this.#env.cfg.rules['rps-input-queue-head-batched']) this.#advanceHead(1);
    poll.work++;
    return true;
  }

  /** rps_input_queue_head_add (include/net/rps.h): input_queue_head is a wrapping u32 (R9). */
  #advanceHead(packets: number): void {
    this.#sd.inputQueueHead = (this.#sd.inputQueueHead + packets) >>> 0;
  }

  /**
   * __napi_poll returned (N3): below weight the NAPI completes (a device re-arms its IRQ, then
   * clears SCHED in the next step; the backlog clears its state at once), at weight it goes on
   * repoll. Then budget -= work and the N1 test. Answers true when net_rx_action is over.
   */
  #endPoll(poll: Poll): boolean {
    const n = poll.napi;
    this.#poll = undefined;
    // process_backlog from c62fdf5b11ef "net: rps: add rps_input_queue_head_add() helper" (6.10): once per
    // quota or return, so a flow cannot move off this CPU in the middle of a poll (R4, R9).
    // The kernel adds only "if (work)"; adding 0 is the same.
    if (n.ring === undefined && this.#env.cfg.rules['rps-input-queue-head-batched'])
      this.#advanceHead(poll.work);
    const completed = poll.work < n.weight;
    if (completed && n.ring !== undefined) {
      n.irqArmed = true;
      this.#completing.push(n);
    } else if (completed) {
      n.sched = false;
    } else if (this.#env.has('linux-napi-repoll-head')) {
      this.#list.unshift(n);
    } else {
      this.#repoll.push(n);
    }
    this.#budget -= poll.work;
    this.#env.trace.record({
      kind: 'napi-poll',
      atNs: this.#env.clock.nowNs,
      cpu: this.cpu,
      thread: this.id,
      napi: n.name,
      weight: n.weight,
      work: poll.work,
      budgetLeftBeforePackets: poll.budgetBefore,
      startNs: poll.startNs,
      completed,
    });
    const outOfBudget = this.#budget <= 0 && !this.#env.has('linux-napi-budget-ignored');
    const outOfTime = this.#jiffies() >= this.#timeLimitJiffies;
    if (!outOfBudget && !outOfTime) return false;
    const counted = outOfBudget || !this.#env.has('linux-napi-squeeze-uncounted');
    if (counted) {
      this.#sd.timeSqueeze++;
      this.#env.stats.inc('softnet.time_squeeze');
    }
    this.#finish(counted);
    return true;
  }

  /** napi_complete_done's second half: SCHED cleared, or kept and the NAPI re-listed on MISSED. */
  #napiCompleteDone(): void {
    for (const n of this.#completing) {
      if (n.missed) {
        n.missed = false;
        this.#sd.schedule(n);
      } else {
        n.sched = false;
      }
    }
    this.#completing.length = 0;
  }

  /**
   * End of net_rx_action (N4): untouched NAPIs, then those scheduled meanwhile, then the repoll
   * list become the poll list; the softirq is raised again if it is not empty, else
   * in_net_rx_action is cleared. Then the RPS IPIs still pending (R10).
   */
  #finish(squeezed: boolean): void {
    const sd = this.#sd;
    // The untouched NAPIs, those scheduled meanwhile, the repoll list; #list and #repoll end empty.
    moveAll(sd.pollList, this.#list);
    moveAll(this.#repoll, this.#list);
    moveAll(this.#list, sd.pollList);
    if (sd.pollList.length > 0) sd.softirqRaised = true;
    else sd.inNetRxAction = false;
    this.#sendRpsIpis();
    this.#running = false;
    this.#record('end', squeezed);
  }

  /**
   * net_rps_action_and_irq_enable (R10): an IPI to every CPU on this CPU's rps_ipi_list; each
   * target counts received_rps and schedules its backlog (rps_trigger_softirq).
   */
  #sendRpsIpis(): void {
    const sd = this.#sd;
    // Emptied after the loop: scheduling a backlog adds nothing to this list.
    for (const target of sd.rpsIpiList) {
      const remote = this.#softnets[target];
      assert(remote !== undefined, 'R10: an RPS IPI targets a CPU of the host');
      this.#env.trace.record({
        kind: 'ipi',
        atNs: this.#env.clock.nowNs,
        fromCpu: this.cpu,
        toCpu: target,
        reason: 'rps',
      });
      remote.receivedRps++;
      this.#env.stats.inc('softnet.received_rps');
      remote.schedule(remote.backlog);
    }
    sd.rpsIpiList.length = 0;
  }

  #record(phase: 'start' | 'end', squeezed: boolean): void {
    this.#env.trace.record({
      kind: 'softirq',
      atNs: this.#env.clock.nowNs,
      cpu: this.cpu,
      thread: this.id,
      phase,
      budgetPackets: this.#budget,
      timeLimitNs: this.#timeLimitJiffies * this.#env.cfg.jiffyNs,
      squeezed,
    });
  }
}
