/**
 * The neighbour cache state machine shared by ARP and NDP (NetBSD sys/net/nd.c nd_resolve,
 * nd_timer; RFC 4861 7.3.2 and 7.3.3), driven through a protocol that records every call.
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_SECOND } from '../brand.ts';
import { ND_GC_SECONDS } from './knobs.ts';
import type { Mac } from './mac.ts';
import { type Llentry, ND_HOLD_PACKETS_MAX, ND_STATE_LETTER, NdTable } from './nd.ts';
import { NetWorld } from './world.ts';

const REACHABLE_MS = 30_000;
const RETRANS_MS = 1_000;
const DELAY_SECONDS = 5;
const MMAXTRIES = 3;
const UMAXTRIES = 2;
const MAC_A = 'b2:a0:00:00:00:0a' as Mac;
const MAC_B = 'b2:a0:00:00:00:0b' as Mac;

type Call =
  | { readonly call: 'solicit'; readonly l3: string; readonly unicast: boolean; readonly atNs: number }
  | { readonly call: 'missed'; readonly l3: string; readonly held: readonly string[] }
  | { readonly call: 'output'; readonly l3: string; readonly pkt: string; readonly lladdr: Mac | undefined }
  | { readonly call: 'freed'; readonly l3: string };

/** A table of string addresses and string packets on a fresh world. */
function table() {
  const world = new NetWorld(1);
  const calls: Call[] = [];
  const t = new NdTable<string, string>(
    7,
    world,
    {
      reachableMs: () => REACHABLE_MS,
      retransMs: () => RETRANS_MS,
      delaySeconds: () => DELAY_SECONDS,
      mmaxtries: () => MMAXTRIES,
      umaxtries: () => UMAXTRIES,
      solicit: (ln, unicast) => calls.push({ call: 'solicit', l3: ln.l3, unicast, atNs: world.nowNs }),
      missed: (ln, held) => calls.push({ call: 'missed', l3: ln.l3, held: [...held] }),
      output: (ln, pkt) => calls.push({ call: 'output', l3: ln.l3, pkt, lladdr: ln.lladdr }),
      freed: (ln) => calls.push({ call: 'freed', l3: ln.l3 }),
    },
    (a) => `key:${a}`,
  );
  const solicits = () => calls.filter((c) => c.call === 'solicit');
  return { world, t, calls, solicits };
}

/** An entry resolved by a solicited answer (REACHABLE), with the time it was learnt. */
function reachable() {
  const env = table();
  env.t.resolve('10', 'p1');
  const ln = env.t.lookup('10') as Llentry<string, string>;
  env.t.learn(ln, MAC_A, true);
  return { ...env, ln, learntNs: env.world.nowNs as number };
}

describe('lla_create and lookup', () => {
  it('a new entry is NOSTATE, dynamic, unpublished, without link address, keyed by keyOf', () => {
    const { t } = table();
    const ln = t.create('10');
    expect(ln).toMatchObject({
      l3: '10',
      key: 'key:10',
      ifIndex: 7,
      lladdr: undefined,
      state: 'nostate',
      isStatic: false,
      published: false,
      asked: 0,
      expireNs: undefined,
      hold: [],
    });
    expect(t.lookup('10')).toBe(ln);
    expect(t.lookup('11')).toBeUndefined();
    expect(t.entries).toEqual([ln]);
    expect(t.ifIndex).toBe(7);
  });

  it('the letters ndp and arp print', () => {
    expect(Object.values(ND_STATE_LETTER).join('')).toBe('NWIRSDP');
  });
});

describe('nd_resolve', () => {
  it('an unknown neighbour: INCOMPLETE, the packet held, one multicast solicitation, retrans timer', () => {
    const { t, calls, world } = table();
    const r = t.resolve('10', 'p1');
    expect(r.kind).toBe('held');
    const ln = t.lookup('10') as Llentry<string, string>;
    expect(r.kind === 'held' && r.ln).toBe(ln);
    expect(ln.state).toBe('incomplete');
    expect(ln.hold).toEqual(['p1']);
    expect(ln.asked).toBe(1);
    expect(ln.expireNs).toBe(world.nowNs + RETRANS_MS * NS_PER_MS);
    expect(calls).toEqual([{ call: 'solicit', l3: '10', unicast: false, atNs: 0 }]);
  });

  it('while INCOMPLETE: no new solicitation, only the newest packet stays held', () => {
    const { t, solicits } = table();
    t.resolve('10', 'p1');
    t.resolve('10', 'p2');
    t.resolve('10', 'p3');
    expect(solicits()).toHaveLength(1);
    expect(t.lookup('10')?.hold).toEqual(['p3']);
    expect(ND_HOLD_PACKETS_MAX).toBe(1);
  });

  it('INCOMPLETE solicits every RetransTimer up to mmaxtries, then misses with the held packet', () => {
    const { t, calls, solicits, world } = table();
    t.resolve('10', 'p1');
    world.runFor(RETRANS_MS * NS_PER_MS * (MMAXTRIES - 1));
    expect(solicits().map((c) => c.atNs)).toEqual([0, 1, 2].map((i) => i * RETRANS_MS * NS_PER_MS));
    expect(solicits().every((c) => c.call === 'solicit' && !c.unicast)).toBe(true);
    expect(calls.some((c) => c.call === 'missed')).toBe(false);
    world.runFor(RETRANS_MS * NS_PER_MS);
    expect(calls.at(-1)).toEqual({ call: 'missed', l3: '10', held: ['p1'] });
    const ln = t.lookup('10') as Llentry<string, string>;
    expect(ln.state).toBe('waitdelete');
    expect(ln.hold).toEqual([]);
    expect(ln.expireNs).toBe(world.nowNs + RETRANS_MS * NS_PER_MS);
    // WAITDELETE lingers one more RetransTimer, then goes without a routing message.
    world.runFor(RETRANS_MS * NS_PER_MS - 1);
    expect(t.lookup('10')).toBe(ln);
    world.runFor(1);
    expect(t.lookup('10')).toBeUndefined();
    expect(calls.some((c) => c.call === 'freed')).toBe(false);
  });

  it('a packet to a WAITDELETE entry starts a fresh round of solicitations', () => {
    const { t, solicits, world } = table();
    t.resolve('10', 'p1');
    world.runFor(RETRANS_MS * NS_PER_MS * MMAXTRIES);
    expect(t.lookup('10')?.state).toBe('waitdelete');
    const before = solicits().length;
    expect(t.resolve('10', 'p2').kind).toBe('held');
    const ln = t.lookup('10') as Llentry<string, string>;
    expect(ln.state).toBe('incomplete');
    expect(ln.asked).toBe(1);
    expect(ln.hold).toEqual(['p2']);
    expect(solicits()).toHaveLength(before + 1);
  });

  it('a NOSTATE entry made by create is solicited on first use', () => {
    const { t, solicits } = table();
    t.create('10');
    expect(t.resolve('10', 'p1').kind).toBe('held');
    expect(t.lookup('10')?.state).toBe('incomplete');
    expect(solicits()).toHaveLength(1);
  });

  it('REACHABLE answers at once and keeps its state and timer', () => {
    const { t, ln, calls } = reachable();
    const expire = ln.expireNs;
    expect(t.resolve('10', 'p2')).toEqual({ kind: 'resolved', lladdr: MAC_A });
    expect(ln.state).toBe('reachable');
    expect(ln.expireNs).toBe(expire);
    expect(calls.filter((c) => c.call === 'output').map((c) => c.call === 'output' && c.pkt)).toEqual(['p1']);
  });
});

describe('learn', () => {
  it('a solicited answer: REACHABLE for ReachableTime, the held packet sent with the new address', () => {
    const { ln, calls, learntNs } = reachable();
    expect(ln.state).toBe('reachable');
    expect(ln.lladdr).toBe(MAC_A);
    expect(ln.hold).toEqual([]);
    expect(ln.expireNs).toBe(learntNs + REACHABLE_MS * NS_PER_MS);
    expect(calls.at(-1)).toEqual({ call: 'output', l3: '10', pkt: 'p1', lladdr: MAC_A });
  });

  it('an unsolicited address for an unresolved entry: STALE for the gc time, and "changed"', () => {
    const { t, world } = table();
    t.resolve('10', 'p1');
    const ln = t.lookup('10') as Llentry<string, string>;
    expect(t.learn(ln, MAC_A, false)).toBe(true);
    expect(ln.state).toBe('stale');
    expect(ln.expireNs).toBe(world.nowNs + ND_GC_SECONDS * NS_PER_SECOND);
  });

  it('unsolicited, the same address: no change, the state and timer stay', () => {
    const { t, ln } = reachable();
    const expire = ln.expireNs;
    expect(t.learn(ln, MAC_A, false)).toBe(false);
    expect(ln.state).toBe('reachable');
    expect(ln.expireNs).toBe(expire);
  });

  it('unsolicited, another address: STALE and "changed"', () => {
    const { t, ln } = reachable();
    expect(t.learn(ln, MAC_B, false)).toBe(true);
    expect(ln.state).toBe('stale');
    expect(ln.lladdr).toBe(MAC_B);
  });

  it('a solicited answer with the same address refreshes REACHABLE and answers "no change"', () => {
    const { t, ln, world } = reachable();
    world.runFor(NS_PER_SECOND);
    expect(t.learn(ln, MAC_A, true)).toBe(false);
    expect(ln.expireNs).toBe(world.nowNs + REACHABLE_MS * NS_PER_MS);
  });

  it('static entries never learn', () => {
    const { t, calls } = table();
    const ln = t.setManual('10', MAC_A, { isStatic: true, published: false });
    const before = calls.length;
    expect(t.learn(ln, MAC_B, true)).toBe(false);
    expect(ln.lladdr).toBe(MAC_A);
    expect(ln.state).toBe('reachable');
    expect(calls).toHaveLength(before);
  });
});

describe('nd_timer after resolution (RFC 4861 7.3.3)', () => {
  it('REACHABLE -> STALE after ReachableTime; first use -> DELAY; DELAY -> PROBE with a unicast probe', () => {
    const { t, ln, world, solicits, learntNs } = reachable();
    world.runFor(REACHABLE_MS * NS_PER_MS - 1);
    expect(ln.state).toBe('reachable');
    world.runFor(1);
    expect(ln.state).toBe('stale');
    expect(ln.expireNs).toBe(learntNs + (REACHABLE_MS * NS_PER_MS + ND_GC_SECONDS * NS_PER_SECOND));
    expect(t.resolve('10', 'p2')).toEqual({ kind: 'resolved', lladdr: MAC_A });
    expect(ln.state).toBe('delay');
    const delayedAt = world.nowNs;
    expect(ln.expireNs).toBe(delayedAt + DELAY_SECONDS * NS_PER_SECOND);
    // A second use in DELAY changes nothing.
    t.resolve('10', 'p3');
    expect(ln.expireNs).toBe(delayedAt + DELAY_SECONDS * NS_PER_SECOND);
    const before = solicits().length;
    world.runFor(DELAY_SECONDS * NS_PER_SECOND);
    expect(ln.state).toBe('probe');
    expect(ln.asked).toBe(1);
    expect(solicits().slice(before)).toEqual([
      { call: 'solicit', l3: '10', unicast: true, atNs: delayedAt + DELAY_SECONDS * NS_PER_SECOND },
    ]);
    expect(ln.expireNs).toBe(world.nowNs + RETRANS_MS * NS_PER_MS);
  });

  it('PROBE: umaxtries unicast probes RetransTimer apart, then the entry is freed with a message', () => {
    const { t, ln, world, solicits, calls } = reachable();
    world.runFor(REACHABLE_MS * NS_PER_MS);
    t.resolve('10', 'p2');
    world.runFor(DELAY_SECONDS * NS_PER_SECOND);
    const probeAt = world.nowNs;
    world.runFor(RETRANS_MS * NS_PER_MS * (UMAXTRIES - 1));
    const probes = solicits().filter((c) => c.call === 'solicit' && c.unicast);
    expect(probes.map((c) => c.atNs - probeAt)).toEqual([0, RETRANS_MS * NS_PER_MS]);
    expect(ln.asked).toBe(UMAXTRIES);
    expect(t.lookup('10')).toBe(ln);
    world.runFor(RETRANS_MS * NS_PER_MS);
    expect(t.lookup('10')).toBeUndefined();
    expect(calls.at(-1)).toEqual({ call: 'freed', l3: '10' });
  });

  it('an answer in PROBE makes the entry REACHABLE again and stops the probes', () => {
    const { t, ln, world, solicits } = reachable();
    world.runFor(REACHABLE_MS * NS_PER_MS);
    t.resolve('10', 'p2');
    world.runFor(DELAY_SECONDS * NS_PER_SECOND);
    t.learn(ln, MAC_A, true);
    const before = solicits().length;
    world.runFor(REACHABLE_MS * NS_PER_MS - 1);
    expect(ln.state).toBe('reachable');
    expect(solicits()).toHaveLength(before);
  });

  it('STALE unused for the gc time is freed', () => {
    const { t, world, calls } = table();
    t.resolve('10', 'p1');
    t.learn(t.lookup('10') as Llentry<string, string>, MAC_A, false);
    world.runFor(ND_GC_SECONDS * NS_PER_SECOND - 1);
    expect(t.lookup('10')).toBeDefined();
    world.runFor(1);
    expect(t.lookup('10')).toBeUndefined();
    expect(calls.at(-1)).toEqual({ call: 'freed', l3: '10' });
  });
});

describe('setManual, free and purge', () => {
  it('a permanent entry: REACHABLE with no expiry and no timer, held packets sent', () => {
    const { t, world, calls } = table();
    t.resolve('10', 'p1');
    const ln = t.setManual('10', MAC_A, { isStatic: true, published: true });
    expect(ln).toMatchObject({
      state: 'reachable',
      lladdr: MAC_A,
      isStatic: true,
      published: true,
      asked: 0,
    });
    expect(ln.expireNs).toBeUndefined();
    expect(ln.hold).toEqual([]);
    expect(calls.at(-1)).toEqual({ call: 'output', l3: '10', pkt: 'p1', lladdr: MAC_A });
    // The INCOMPLETE round's timer is gone: no more solicitations, no miss.
    world.runFor(ND_GC_SECONDS * 2 * NS_PER_SECOND);
    expect(t.lookup('10')).toBe(ln);
    expect(ln.state).toBe('reachable');
    expect(calls.filter((c) => c.call === 'solicit')).toHaveLength(1);
  });

  it('a temporary entry expires into STALE; a static one with an expiry stays REACHABLE', () => {
    const { t, world } = table();
    const temp = t.setManual('10', MAC_A, { isStatic: false, published: false, expireSeconds: 20 });
    const fixed = t.setManual('11', MAC_B, { isStatic: true, published: false, expireSeconds: 20 });
    expect(temp.state).toBe('reachable');
    expect(temp.expireNs).toBe(world.nowNs + 20 * NS_PER_SECOND);
    world.runFor(20 * NS_PER_SECOND - 1);
    expect(temp.state).toBe('reachable');
    world.runFor(1);
    expect(temp.state).toBe('stale');
    expect(fixed.state).toBe('reachable');
  });

  it('setManual replaces the address of an existing entry and clears its round', () => {
    const { t } = table();
    t.resolve('10', 'p1');
    const ln = t.lookup('10') as Llentry<string, string>;
    expect(t.setManual('10', MAC_B, { isStatic: false, published: false })).toBe(ln);
    expect(ln.asked).toBe(0);
    expect(t.entries).toHaveLength(1);
  });

  it('free reports only resolved entries, and only once', () => {
    const { t, calls } = table();
    t.resolve('10', 'p1');
    const pending = t.lookup('10') as Llentry<string, string>;
    t.free(pending);
    expect(calls.some((c) => c.call === 'freed')).toBe(false);
    const done = t.setManual('11', MAC_A, { isStatic: false, published: false });
    t.free(done);
    t.free(done);
    expect(calls.filter((c) => c.call === 'freed')).toEqual([{ call: 'freed', l3: '11' }]);
    expect(t.entries).toEqual([]);
  });

  it('free of a replaced entry leaves its successor alone', () => {
    const { t } = table();
    const old = t.create('10');
    const fresh = t.create('10');
    t.free(old);
    expect(t.lookup('10')).toBe(fresh);
  });

  it('a freed entry fires no more timers', () => {
    const { t, world, calls } = table();
    t.resolve('10', 'p1');
    t.free(t.lookup('10') as Llentry<string, string>);
    world.runFor(RETRANS_MS * NS_PER_MS * (MMAXTRIES + 2));
    expect(calls.filter((c) => c.call !== 'solicit')).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('purge frees what the predicate selects and counts it', () => {
    const { t, calls } = table();
    t.setManual('10', MAC_A, { isStatic: false, published: false });
    t.setManual('11', MAC_B, { isStatic: true, published: false });
    t.resolve('12', 'p1');
    expect(t.purge((ln) => !ln.isStatic)).toBe(2);
    expect(t.entries.map((ln) => ln.l3)).toEqual(['11']);
    expect(calls.filter((c) => c.call === 'freed')).toEqual([{ call: 'freed', l3: '10' }]);
    expect(t.purge(() => false)).toBe(0);
  });
});
