import { describe, expect, it } from 'vitest';
import { cpuId, type PacketId, packetId } from '../brand.ts';
import type { DispatchContext, PacketView, Placement, SoftnetView } from '../policy.ts';
import { hash32, type RpsConfig, rfsSlot, rpsPolicy } from './rps.ts';

/**
 * get_rps_cpu (net/core/dev.c; R1..R6) on a hand-built softnet view: per-CPU input_queue_head and
 * _tail, an rps_sock_flow_table answering `reader` (or nothing) for every hash, and a record of
 * every CPU whose per-CPU counters were read.
 */
function box(cpuCount: number, rpsCpuMask: number) {
  const head = new Array<number>(cpuCount).fill(0);
  const tail = new Array<number>(cpuCount).fill(0);
  const read = new Set<number>();
  const st = { reader: 1 as number | undefined, save: undefined as ((t: number) => void) | undefined };
  const count = (arr: number[], c: number) => {
    read.add(c);
    return arr[c] ?? 0;
  };
  const softnet: SoftnetView = {
    inputQueueHead: (c) => count(head, c),
    inputQueueTail: (c) => count(tail, c),
    sockFlowEntry: (hash) => (st.reader === undefined ? undefined : ((hash & ~rpsCpuMask) | st.reader) >>> 0),
    rpsCpuMask,
    saveQtail: (save) => {
      st.save = save;
    },
  };
  const ctx = (sn: SoftnetView | undefined = softnet) =>
    ({ cpu: cpuId(0), cpuCount, softnet: sn }) as unknown as DispatchContext;
  /** enqueue_to_backlog admitted the packet on `cpu`: tail moves, rps_input_queue_tail_save. */
  const admit = (cpu: number) => {
    tail[cpu] = (tail[cpu] ?? 0) + 1;
    st.save?.(tail[cpu] ?? 0);
    st.save = undefined;
  };
  return { head, tail, read, st, softnet, ctx, admit };
}

const pkt = (hash: number) => ({ id: packetId(0) as PacketId, hash, rxRing: 0 }) as unknown as PacketView;

function policy(cpuCount: number, rps: Partial<RpsConfig>) {
  return rpsPolicy({ rpsCpus: [], rpsFlowCnt: 8, qtailBeforeEnqueue: false, ...rps })({
    cpuCount,
    workstreamCpus: [],
    bucketCount: 128,
  });
}

const H = 0x5555_5550;

describe('get_rps_cpu: when RFS, rps_map or neither decide (net/core/dev.c)', () => {
  it('policy names: RFS with rps_flow_cnt, RPS with an rps_map only, else no steering', () => {
    expect(policy(2, { rpsFlowCnt: 8 }).name).toBe('linux-rfs');
    expect(policy(2, { rpsFlowCnt: 0, rpsCpus: [1] }).name).toBe('linux-rps');
    expect(policy(2, { rpsFlowCnt: 0 }).name).toBe('linux-no-steering');
  });

  it('"if (!hash) goto done": a packet without a hash is received inline, even with an rps_map', () => {
    const b = box(2, 1);
    const p = policy(2, { rpsFlowCnt: 0, rpsCpus: [1] });
    expect(p.place(pkt(0), b.ctx())).toEqual({ cpu: 0, mode: 'direct' });
  });

  it('no rps_map and no RFS: -1, inline on the current CPU', () => {
    const b = box(2, 1);
    b.st.reader = undefined;
    expect(policy(2, { rpsFlowCnt: 0 }).place(pkt(H), b.ctx())).toEqual({ cpu: 0, mode: 'direct' });
    expect(policy(2, { rpsFlowCnt: 8 }).place(pkt(H), b.ctx())).toEqual({ cpu: 0, mode: 'direct' });
  });

  it('RFS steering to CPU 0 wins over the rps_map', () => {
    const b = box(2, 1);
    b.st.reader = 0;
    expect(policy(2, { rpsCpus: [1] }).place(pkt(H), b.ctx())).toEqual({ cpu: 0, mode: 'queue' });
  });

  it('no rps_sock_flow_table entry: the rps_map decides, even for a hash below rps_cpu_mask', () => {
    const b = box(4, 3);
    b.st.reader = undefined;
    expect(policy(4, { rpsCpus: [2] }).place(pkt(2), b.ctx())).toEqual({ cpu: 2, mode: 'queue' });
  });

  it('"if (flow_table && sock_flow_table)": rps_flow_cnt 0 leaves the rps_map in charge', () => {
    const b = box(4, 3);
    expect(policy(4, { rpsFlowCnt: 0, rpsCpus: [2] }).place(pkt(H), b.ctx())).toEqual({
      cpu: 2,
      mode: 'queue',
    });
  });

  it('outside a Linux host (no softnet view) RFS is off: the rps_map decides', () => {
    const noSn = { cpu: cpuId(0), cpuCount: 4 } as unknown as DispatchContext;
    expect(policy(4, { rpsCpus: [2] }).place(pkt(H), noSn)).toEqual({ cpu: 2, mode: 'queue' });
  });

  it('a softnet view without the qtail out-parameter still steers by RFS', () => {
    const b = box(4, 3);
    const { saveQtail: _, ...bare } = b.softnet;
    expect(policy(4, {}).place(pkt(H), b.ctx(bare))).toEqual({ cpu: 1, mode: 'queue' });
  });

  // "if (tcpu < nr_cpu_ids && cpu_online(tcpu))" and set_rps_cpu's "if (next_cpu < nr_cpu_ids)".
  it('an entry naming a CPU >= nr_cpu_ids falls back to the rps_map, and reads no per-CPU data of it', () => {
    const b = box(3, 3);
    b.st.reader = 3;
    const p = policy(3, { rpsCpus: [2] });
    expect(p.place(pkt(H), b.ctx())).toEqual({ cpu: 2, mode: 'queue' });
    expect(p.place(pkt(H), b.ctx())).toEqual({ cpu: 2, mode: 'queue' });
    // rflow->cpu is 3 now: "tcpu >= nr_cpu_ids" lets the flow move to a real CPU at once.
    b.st.reader = 1;
    expect(p.place(pkt(H), b.ctx())).toEqual({ cpu: 1, mode: 'queue' });
    expect([...b.read].every((c) => c < 3)).toBe(true);
  });

  it('the pre-fix bookkeeping reads no per-CPU data of a CPU >= nr_cpu_ids either', () => {
    const b = box(3, 3);
    b.st.reader = 3;
    const p = policy(3, { rpsCpus: [2], qtailBeforeEnqueue: true });
    expect(p.place(pkt(H), b.ctx())).toEqual({ cpu: 2, mode: 'queue' });
    expect(p.place(pkt(H), b.ctx())).toEqual({ cpu: 2, mode: 'queue' });
    expect([...b.read].every((c) => c < 3)).toBe(true);
  });
});

describe('rps_dev_flow and last_qtail (get_rps_cpu, set_rps_cpu, enqueue_to_backlog; R4, R5)', () => {
  const cpuOf = (a: Placement | unknown) => (a as Placement).cpu as number;

  // set_rps_cpu: "rflow->last_qtail = per_cpu(softnet_data, next_cpu).input_queue_head;"
  it("a move starts from the new CPU's input_queue_head, not from the old CPU's saved tail", () => {
    const b = box(4, 3);
    const p = policy(4, {});
    const place = () => cpuOf(p.place(pkt(H), b.ctx()));
    b.head[1] = 9;
    b.tail[1] = 9;
    expect(place()).toBe(1);
    b.admit(1); // last_qtail = 10
    b.head[1] = 10;
    b.head[2] = 3;
    b.tail[2] = 3;
    b.st.reader = 2;
    expect(place()).toBe(2); // head(1) 10 - 10 >= 0: moves; last_qtail = head(2) = 3; refused
    b.st.reader = 3;
    expect(place()).toBe(3); // head(2) 3 - 3 >= 0
  });

  // "if (unlikely(tcpu != next_cpu) && ...)": a packet for the same CPU leaves last_qtail alone.
  it('a packet to the CPU the flow is on keeps the saved tail when its enqueue is refused', () => {
    const b = box(4, 3);
    const p = policy(4, {});
    const place = () => cpuOf(p.place(pkt(H), b.ctx()));
    b.head[1] = 5;
    b.tail[1] = 9;
    expect(place()).toBe(1);
    b.admit(1); // last_qtail = 10
    expect(place()).toBe(1); // refused: no save
    b.st.reader = 2;
    expect(place()).toBe(1); // (int)(5 - 10) < 0: still queued on CPU 1
  });

  it('the default rfs_slot is hash_32 (6.15 on): flows sharing low hash bits keep their own rps_dev_flow', () => {
    const [a, c] = [0x0000_0010, 0x1000_0010];
    expect(rfsSlot(a, 8, false)).toBe(rfsSlot(c, 8, false));
    expect(hash32(a, 3)).not.toBe(hash32(c, 3));
    const b = box(4, 3);
    const p = rpsPolicy({ rpsCpus: [], rpsFlowCnt: 8 })({
      cpuCount: 4,
      workstreamCpus: [],
      bucketCount: 128,
    });
    b.head[1] = 5;
    b.tail[1] = 9;
    expect(cpuOf(p.place(pkt(a), b.ctx()))).toBe(1);
    b.admit(1); // a's last_qtail = 10, head 5: a must wait on CPU 1
    b.st.reader = 2;
    expect(cpuOf(p.place(pkt(c), b.ctx()))).toBe(2);
  });
});

describe('pre-fix last_qtail bookkeeping (linux-rfs-qtail-before-enqueue)', () => {
  const run = () => {
    const b = box(4, 3);
    const p = policy(4, { qtailBeforeEnqueue: true });
    b.head[1] = 5;
    b.tail[1] = 9;
    return { b, place: () => (p.place(pkt(H), b.ctx()) as Placement).cpu as number };
  };

  it('tail + 1 is written before the enqueue: an admitted packet holds the flow until head reaches it', () => {
    const { b, place } = run();
    expect(place()).toBe(1); // last_qtail = 10
    b.tail[1] = 10; // admitted
    b.st.reader = 2;
    b.head[1] = 9;
    expect(place()).toBe(1);
    b.head[1] = 10;
    expect(place()).toBe(2);
  });

  it('a refused packet left last_qtail unreached: the next packet patches it down to the tail', () => {
    const { b, place } = run();
    expect(place()).toBe(1); // last_qtail = 10, refused: tail stays 9
    b.st.reader = 2;
    b.head[1] = 9;
    expect(place()).toBe(2); // patched to 9; (int)(9 - 9) >= 0
  });

  it('a tail past last_qtail (other flows admitted since) is not patched', () => {
    const { b, place } = run();
    expect(place()).toBe(1); // last_qtail = 10
    b.tail[1] = 15; // this packet and five of other flows admitted
    b.st.reader = 2;
    b.head[1] = 10;
    expect(place()).toBe(2); // (int)(10 - 10) >= 0
  });
});
