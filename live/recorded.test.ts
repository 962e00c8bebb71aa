import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCounters } from '../counters/index.ts';
import { judgeRecording, judgeTrace, machineFacts } from '../harness/live-judge.ts';
import { type CpuId, cpuId } from '../model/brand.ts';
import type { PolicyFactory } from '../model/policy.ts';
import { instantiatePolicy } from '../model/policy.ts';
import type { Trace, TraceEvent } from '../model/trace.ts';
import { LINUX_CONSERVATION } from '../properties/linux-conservation.ts';
import { LINUX_FLOW_ORDER } from '../properties/linux-flow-order.ts';
import { LINUX_NO_DROP_BELOW_LIMIT } from '../properties/linux-no-drop-below-limit.ts';
import { convertRecording } from './convert.ts';
import { modelCpuOf, modelRpsPolicy, rfsDifferential, rpsDifferential, rpsMapCpus } from './differential.ts';
import { snmpDeltaText } from './parse.ts';
import type { LiveRecording } from './recording.ts';

/**
 * A run recorded on a real kernel (Linux 6.18, 2 CPUs, RPS on both, netdev_max_backlog 1, a slow
 * reader with SO_RCVBUF 4096): judged again without a kernel, then corrupted in the ways a broken
 * kernel or a broken model would show, each caught by the property that names it.
 */
const rec = JSON.parse(
  readFileSync(new URL('../fixtures/live/overload-small.json', import.meta.url), 'utf8'),
) as LiveRecording;

const violated = (trace: Trace) => {
  const cfg = { cpuCount: rec.cpuCount, workstreamCpus: [], bucketCount: 0 };
  const cpuOf = modelCpuOf(instantiatePolicy(modelRpsPolicy(rec), cfg), rec);
  const { packets } = convertRecording(rec, cpuOf);
  return judgeTrace(rec, trace, packets, []).properties.filter((p) => !p.held);
};
const baseline = () => judgeRecording(rec).trace;

describe('a recorded live run', () => {
  it('holds every property, conserves packets with every drop counted, and agrees with the model 100%', () => {
    const v = judgeRecording(rec);
    expect(v.issues).toEqual([]);
    expect(v.properties.filter((p) => !p.held)).toEqual([]);
    expect(v.counterFindings).toEqual([]);
    const dropped = v.drops.reduce((s, d) => s + d.count, 0);
    expect(v.sent).toBe(v.delivered + dropped);
    expect(v.drops.map((d) => d.reason).sort()).toEqual(['CPU_BACKLOG', 'SOCKET_RCVBUFF']);
    for (const d of v.drops) expect(d.count).toBe(d.counterDelta);
    expect(v.differential.compared).toBeGreaterThan(0);
    expect(v.differential.agreed).toBe(v.differential.compared);
    expect(v.trace[0]).toMatchObject({
      kind: 'kernel',
      source: 'live',
      release: rec.kernelRelease,
      os: 'linux',
    });
    expect(v.ok).toBe(true);
  });

  it('teeth: a kfree_skb removed from the recording leaves a packet lost without a counter', () => {
    const at = rec.traceLines.findIndex((l) => l.includes('kfree_skb') && l.includes('SOCKET_RCVBUFF'));
    const cut = { ...rec, traceLines: rec.traceLines.filter((_, i) => i !== at) };
    const v = judgeRecording(cut);
    const names = v.properties.filter((p) => !p.held).map((p) => p.property);
    expect(names).toContain(LINUX_CONSERVATION);
    expect(names).toContain(LINUX_NO_DROP_BELOW_LIMIT);
    expect(v.properties.find((p) => p.property === LINUX_CONSERVATION)?.violations[0]?.message).toMatch(
      /neither read nor dropped/,
    );
  });

  it('teeth: two deliveries of a flow swapped break flow order', () => {
    const t = [...baseline()];
    const reads = t.flatMap((e, i) => (e.kind === 'deliver' ? [i] : []));
    const [a, b] = reads.filter((i) => {
      const e = t[i];
      const first = t[reads[0] ?? 0];
      return e?.kind === 'deliver' && first?.kind === 'deliver' && e.flow === first.flow;
    });
    expect(b).toBeDefined();
    [t[a ?? 0], t[b ?? 0]] = [t[b ?? 0] as TraceEvent, t[a ?? 0] as TraceEvent];
    const bad = violated(t);
    expect(bad.map((p) => p.property)).toContain(LINUX_FLOW_ORDER);
    expect(bad.find((p) => p.property === LINUX_FLOW_ORDER)?.violations[0]?.rule).toBe('INV-ORDER');
  });

  it('teeth: an snmp counter changed in the recording no longer matches the drops', () => {
    const snmpAfter = rec.snmpAfter.replace(
      /^(Udp: \d+ \d+ \d+ \d+ )(\d+)/m,
      (_, head: string, n: string) => `${head}${Number(n) + 1}`,
    );
    expect(snmpAfter).not.toBe(rec.snmpAfter);
    const v = judgeRecording({ ...rec, snmpAfter });
    const bad = v.properties.find((p) => p.property === LINUX_NO_DROP_BELOW_LIMIT);
    expect(bad?.held).toBe(false);
    expect(bad?.violations.map((x) => x.rule)).toContain('U5');
    expect(v.ok).toBe(false);
  });

  it('tells check-counters what the run knows: read once quiet, the kernel release, the machine and CPUs when kept', () => {
    expect(machineFacts(rec)).toEqual({ quiescent: true, linuxRelease: { major: 6, minor: 18, patch: 44 } });
    const kept = { ...rec, machine: 'x86_64', cpusPresent: '0-3', cpusOnline: '0-2' };
    expect(machineFacts(kept)).toMatchObject({ counters64bit: true, allCpusOnline: false });
    expect(machineFacts({ ...kept, machine: 'i686', cpusOnline: '0-3' })).toMatchObject({
      counters64bit: false,
      allCpusOnline: true,
    });
  });

  it('teeth: Udp InErrors one short of RcvbufErrors is a finding here, where a pasted dump gets a note', () => {
    const snmpAfter = rec.snmpAfter.replace(
      /^(Udp: \d+ \d+ )(\d+)/m,
      (_, head: string, n: string) => `${head}${Number(n) - 1}`,
    );
    expect(snmpAfter).not.toBe(rec.snmpAfter);
    // The same difference as a pasted dump: a read while drops were counted could explain it.
    const pasted = checkCounters(snmpDeltaText(rec.snmpBefore, snmpAfter), { json: false });
    expect(pasted.exitCode).toBe(0);
    expect(pasted.stdout).toMatch(/U5/);
    const v = judgeRecording({ ...rec, snmpAfter });
    expect(v.counterFindings.some((f) => f.includes('"U5"'))).toBe(true);
    expect(v.ok).toBe(false);
  });

  it('teeth: a model with a wrong RPS CPU rule (hash % len, not reciprocal_scale) is caught by the differential', () => {
    const map = rpsMapCpus(rec.rpsCpusMask, rec.cpuCount);
    const wrong: PolicyFactory = () => ({
      name: 'rps-hash-modulo',
      place: (pkt) => ({ cpu: cpuId(map[pkt.hash % map.length] ?? 0) as CpuId, mode: 'queue' }),
    });
    const v = judgeRecording(rec, wrong);
    expect(v.differential.disagreements.length).toBeGreaterThan(0);
    expect(v.ok).toBe(false);
    const d = v.differential.disagreements[0];
    expect(d?.kernelCpu).not.toBe(d?.modelCpu);
  });
});

/** Recorded with RFS on, a connect()ed socket per flow and the reader on CPU 1; rps_map = {CPU 0}. */
const rfsRec = JSON.parse(
  readFileSync(new URL('../fixtures/live/rfs-connected-small.json', import.meta.url), 'utf8'),
) as LiveRecording;

describe('a recorded live run with RFS following the reader', () => {
  it('every flow moved once, from its rps_map CPU to the reader CPU, as the model rule says', () => {
    const v = judgeRecording(rfsRec);
    expect(v.ok).toBe(true);
    expect(v.differential.agreed).toBe(v.differential.compared);
    for (const r of v.differential.rows) expect(r.kernelCpus).toEqual([0, 1]);
  });

  it('teeth: a model without RFS (rps_map only) disagrees on the moved packets', () => {
    const cfg = { cpuCount: rfsRec.cpuCount, workstreamCpus: [], bucketCount: 0 };
    const { packets } = convertRecording(
      rfsRec,
      modelCpuOf(instantiatePolicy(modelRpsPolicy(rfsRec), cfg), rfsRec),
    );
    const d = rpsDifferential(rfsRec, packets);
    expect(d.disagreements.length).toBeGreaterThan(0);
    expect(d.disagreements[0]).toMatchObject({ kernelCpu: 1, modelCpu: 0 });
  });

  it('teeth: a flow back on its old CPU after the move is a disagreement', () => {
    const cfg = { cpuCount: rfsRec.cpuCount, workstreamCpus: [], bucketCount: 0 };
    const { packets } = convertRecording(
      rfsRec,
      modelCpuOf(instantiatePolicy(modelRpsPolicy(rfsRec), cfg), rfsRec),
    );
    const last = [...packets].reverse().find((p) => p.receiveCpu === 1);
    if (last === undefined) throw new Error('no moved packet');
    last.receiveCpu = 0;
    const d = rfsDifferential(rfsRec, packets);
    expect(d.disagreements).toContainEqual(
      expect.objectContaining({ pkt: last.pkt, kernelCpu: 0, modelCpu: 1 }),
    );
  });
});

/** Recorded over IPv6 (udpv6_rcv): netdev_max_backlog 1, a slow reader with SO_RCVBUF 16384. */
const v6Rec = JSON.parse(
  readFileSync(new URL('../fixtures/live/overload-ipv6-small.json', import.meta.url), 'utf8'),
) as LiveRecording;

describe('a recorded live run over IPv6', () => {
  it('holds, with its socket drops counted in the Udp6 row of snmp6 and none in Udp', () => {
    const v = judgeRecording(v6Rec);
    expect(v.issues).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.stats['Udp6.InDatagrams']).toBe(v.delivered);
    expect(v.stats['Udp.InDatagrams']).toBe(0);
    const rcvbuf = v.drops.find((d) => d.reason === 'SOCKET_RCVBUFF');
    expect(rcvbuf).toMatchObject({ counter: 'Udp6 RcvbufErrors' });
    expect(rcvbuf?.count).toBe(rcvbuf?.counterDelta);
    expect(v.sent).toBe(v.delivered + v.drops.reduce((s, d) => s + d.count, 0));
    expect(v.differential.agreed).toBe(v.differential.compared);
  });

  it('teeth: a Udp6 counter changed in the recording no longer matches the drops (U5)', () => {
    const snmp6After = (v6Rec.snmp6After ?? '').replace(
      /^(Udp6RcvbufErrors\s+)(\d+)/m,
      (_, head: string, n: string) => `${head}${Number(n) + 1}`,
    );
    expect(snmp6After).not.toBe(v6Rec.snmp6After);
    const v = judgeRecording({ ...v6Rec, snmp6After });
    const bad = v.properties.find((p) => p.property === LINUX_NO_DROP_BELOW_LIMIT);
    expect(bad?.violations.map((x) => x.message).join('\n')).toMatch(/Udp6\.RcvbufErrors/);
    expect(v.ok).toBe(false);
  });

  it('teeth: the reads tallied as IPv4 (a udp: socket) break U8 on both rows', () => {
    const cfg = { cpuCount: v6Rec.cpuCount, workstreamCpus: [], bucketCount: 0 };
    const cpuOf = modelCpuOf(instantiatePolicy(modelRpsPolicy(v6Rec), cfg), v6Rec);
    const { trace, packets } = convertRecording(v6Rec, cpuOf);
    const asV4 = trace.map((e) => (e.kind === 'deliver' ? { ...e, layer: 'udp:0' } : e));
    const bad = judgeTrace(v6Rec, asV4, packets, []).properties.find(
      (p) => p.property === LINUX_NO_DROP_BELOW_LIMIT,
    );
    const rules = bad?.violations.map((x) => `${x.rule} ${x.message}`).join('\n') ?? '';
    expect(rules).toMatch(/U8 Udp6\.InDatagrams/);
  });
});
