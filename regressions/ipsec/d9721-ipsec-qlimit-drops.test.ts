import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netstatQFaults } from '../../counters/netstat-q-faults.ts';
import { parseNetstatQ } from '../../counters/netstat-q-table.ts';
import { udpFlow } from '../../model/host/scenario.ts';
import type { Workload, WorkloadItem } from '../../model/host/workload.ts';
import { espBundle } from '../../model/ipsec/chain.ts';
import { checkCounterConsistency } from '../../properties/counters.ts';
import { checkNoDropBelowLimit } from '../../properties/no-drop-below-limit.ts';
import { burstyWorkload, type D9721Box, runBox } from './d9721-scenario.ts';

/**
 * D9721 (https://reviews.freebsd.org/D9721, seed 000): with use_netisr=1, one netisr thread and
 * the default ipsec qlimit, the router dropped 617 million packets at the ipsec queue; at 8192 the
 * queue sat full with a full batch in flight. Drops happen only at the limit, count in QDrops, and
 * nothing pushes back on the producer. Fixtures: fixtures/netstat-q/d9721-ipsec-qlimit-*.txt.
 */

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/netstat-q/${name}`, import.meta.url)), 'utf8');

/** Rows of the Workstreams table by protocol name, as numbers (WSID CPU Name Len WMark ...). */
function rows(text: string): Map<string, number[]> {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('WSID'));
  const out = new Map<string, number[]>();
  for (const line of lines.slice(start + 1)) {
    const f = line.trim().split(/\s+/);
    if (f.length === 10 && f[2] !== undefined) out.set(f[2], f.slice(3).map(Number));
  }
  return out;
}

/** Everything above the Workstreams rows (Configuration and Protocols), blank lines trimmed. */
const head = (text: string) =>
  text
    .split('\n')
    .slice(
      0,
      text.split('\n').findIndex((l) => l.startsWith('WSID')),
    )
    .map((l) => l.trimEnd());

/** The netstat -Q identities (I-1, I-2, I-4, N-17, Q-3, Q-5) broken by a rendered table. */
function faults(text: string): string[] {
  const parsed = parseNetstatQ(text);
  if (!parsed.ok) return [`line ${parsed.error.line}: ${parsed.error.message}`];
  return netstatQFaults(parsed.table, { qlimitsFixed: true }).map((f) => `${f.rule}: ${f.message}`);
}

const LEN = 0;
const WMARK = 1;
const DISPD = 2;
const QDROPS = 4;
const QUEUED = 5;
const HANDLED = 6;

/** The review's box: 4 CPUs, 4 rx queues, one netisr thread, direct dispatch, one ESP SA out. */
const box = (qlimit: number, extra: Partial<D9721Box> = {}): D9721Box => ({
  arch: 'amd64',
  chain: espBundle(1),
  sysctl: { 'net.isr.maxthreads': 1 },
  ipsec: { 'net.inet.ipsec.use_netisr': true, 'net.inet.ipsec.intr_queue_maxlen': qlimit },
  ...extra,
});

describe('D9721: drops at the ipsec queue limit, counted in QDrops (netstat -Q of the review)', () => {
  it('qlimit 256, offered load above the netisr thread: the table of the review', () => {
    // Bursts of 64 every 100 steps: the four interrupt threads take 64, the netisr thread gets 36.
    const r = runBox(box(256), burstyWorkload(16, 14, 64, 100_000));
    const real = fixture('d9721-ipsec-qlimit-256.txt');
    expect(head(r.netstatQ)).toEqual(head(real));
    expect(faults(r.netstatQ)).toEqual([]);
    const got = rows(r.netstatQ);
    const want = rows(real);
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const table of [got, want]) {
      const ipsec = table.get('ipsec') ?? [];
      const ip = table.get('ip') ?? [];
      const ether = table.get('ether') ?? [];
      const arp = table.get('arp') ?? [];
      // The queue reached its limit and dropped there; once traffic stops it drains: Queued = Handled.
      expect(ipsec[WMARK]).toBe(256);
      expect(ipsec[LEN]).toBe(0);
      expect(ipsec[QDROPS]).toBeGreaterThan(0);
      expect(ipsec[QUEUED]).toBe(ipsec[HANDLED]);
      expect(ipsec[DISPD]).toBe(0);
      // ip and ether run DIRECT on the receiving CPU: Disp'd = Handled, nothing queued.
      expect(ip[DISPD]).toBe(ip[HANDLED]);
      expect(ip[QUEUED]).toBe(0);
      expect(ether[DISPD]).toBe((ip[DISPD] ?? 0) + (arp[DISPD] ?? 0));
    }
    // Every drop was at the limit and is counted once (N-9, I-3), in the model's trace.
    expect(checkNoDropBelowLimit(r.trace)).toEqual([]);
    expect(checkCounterConsistency(r.trace)).toEqual([]);
    const drops = r.trace.filter((e) => e.kind === 'drop');
    expect(drops.length).toBe(got.get('ipsec')?.[QDROPS]);
    expect(
      drops.every((d) => d.kind === 'drop' && d.counter === 'ipsec.QDrops' && d.qlenPackets === 256),
    ).toBe(true);
    // No backpressure: the receive side went on taking packets after the queue started to drop.
    const firstDrop = r.trace.findIndex((e) => e.kind === 'drop');
    expect(r.trace.slice(firstDrop).some((e) => e.kind === 'handle' && e.proto === 'ip')).toBe(true);
    expect(r.stats.ips_forward).toBe(14 * 64);
  });

  it('pre-fix teeth: a queue that drops below its limit, or drops without counting, is caught', () => {
    const load = burstyWorkload(16, 14, 64, 100_000);
    const early = checkNoDropBelowLimit(
      runBox(box(256, { variants: ['netisr-drops-one-early'] }), load).trace,
    );
    expect(early[0]).toMatchObject({ property: 'no-drop-below-limit', rule: 'N-9' });
    expect(early[0]?.message).toMatch(/^ipsec on cpu 0: packet \d+ dropped at len 255, below qlimit 256$/);
    const silent = checkNoDropBelowLimit(
      runBox(box(256, { variants: ['netisr-qdrops-not-counted'] }), load).trace,
    );
    expect(silent[0]).toMatchObject({ property: 'no-drop-below-limit', rule: 'I-3' });
  });

  it('qlimit 8192 mid-run: Len = WMark = QLimit and Queued - Handled = 2 x QLimit, as in the review', () => {
    // The wire fills the queue, the netisr thread takes it as one batch (N-17) and is preempted;
    // the wire refills the queue behind it; netstat -Q runs while that batch is still in flight.
    const qlimit = 8192;
    const burst = qlimit + 64;
    const items: WorkloadItem[] = [];
    const fill = () => {
      for (let i = 0; i < burst; i++) items.push({ kind: 'packet', flow: i % 16 });
    };
    fill();
    items.push({ kind: 'pause', ns: (burst + 100) * 1_000 });
    fill();
    items.push({ kind: 'pause', ns: (burst + 10) * 1_000 }, { kind: 'snapshot' });
    const workload: Workload = { flows: Array.from({ length: 16 }, (_, i) => udpFlow(i)), items };
    const steps = 4 * burst + 120; // up to the snapshot: the rest would only drain the queue
    const r = runBox(
      box(qlimit, {
        rings: 1,
        sysctl: { 'net.isr.maxthreads': 1, 'hw.ix.rxd': 65536 },
        limits: { stepsMax: steps },
      }),
      workload,
    );
    const snapshot = r.snapshots.at(-1) ?? '';
    expect(faults(snapshot)).toEqual([]);
    const real = fixture('d9721-ipsec-qlimit-8192.txt');
    expect(head(snapshot)).toEqual(head(real));
    for (const table of [rows(snapshot), rows(real)]) {
      const ipsec = table.get('ipsec') ?? [];
      expect(ipsec[LEN]).toBe(qlimit);
      expect(ipsec[WMARK]).toBe(qlimit);
      expect((ipsec[QUEUED] ?? 0) - (ipsec[HANDLED] ?? 0)).toBe(2 * qlimit);
      expect(ipsec[QDROPS]).toBeGreaterThan(0);
    }
  });
});
