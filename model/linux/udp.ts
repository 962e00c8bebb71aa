import type { CpuId } from '../brand.ts';
import type { Flow } from '../packet.ts';
import { Fifo } from '../sim/fifo.ts';
import type { SockQueueEvent } from '../trace.ts';
import { type CounterName, type DropReason, UDP_MIB_FIELDS } from '../vocab.ts';
import type { ResolvedSocket } from './config.ts';
import { freeSkb, type LinuxEnv, type RunOn, type Skb } from './env.ts';
import type { RpsSockFlowTable } from './rps.ts';

/** A UDP socket's receive side (struct sock + udp_sock): charge, queue, drops, owner. */
export class UdpSock {
  readonly spec: ResolvedSocket;
  /** sk_rmem_alloc: truesize of every queued skb (uncharged at once when read: a simple U11). */
  rmemAllocBytes = 0;
  readonly receiveQueue = new Fifo<Skb>();
  /** sk_backlog while a reader owns the socket (the path before 4.10, U6). */
  readonly backlog: Skb[] = [];
  backlogBytes = 0;
  /** sk_drops: the drops column of /proc/net/udp (U5). */
  drops = 0;
  ownedByUser = false;
  /** sk_rxhash, saved on receive for a connected socket (sock_rps_save_rxhash). */
  rxhash = 0;
  /** The socket's names in the trace, made once: the `deliver` layer and its drops counter. */
  readonly layer: string;
  readonly dropsCounter: `udp_sock${number}.drops`;

  constructor(spec: ResolvedSocket) {
    this.spec = spec;
    this.layer = `udp:sock${spec.index}`;
    this.dropsCounter = `udp_sock${spec.index}.drops`;
  }

  /** Bytes queued for /proc/net/udp rx_queue (sk_rmem_alloc). */
  get rxQueueBytes(): number {
    return this.rmemAllocBytes;
  }
}

const isMulticast = (dst: string) => {
  const first = Number(dst.split('.')[0]);
  return first >= 224 && first <= 239;
};

/**
 * UDP receive (net/ipv4/udp.c): socket lookup, unicast and multicast delivery, the rcvbuf test and
 * its counters, recvmsg. The counters are the Udp row of /proc/net/snmp (U5, U8).
 */
export class UdpStack {
  readonly sockets: readonly UdpSock[];
  readonly #env: LinuxEnv;
  readonly #rfs: RpsSockFlowTable;
  readonly #deferFree: (skb: Skb, cpu: CpuId) => void;
  readonly #targetsByFlow = new Map<Flow, readonly UdpSock[]>();

  constructor(
    env: LinuxEnv,
    sockets: readonly UdpSock[],
    rfs: RpsSockFlowTable,
    deferFree: (skb: Skb, cpu: CpuId) => void,
  ) {
    this.#env = env;
    this.sockets = sockets;
    this.#rfs = rfs;
    this.#deferFree = deferFree;
  }

  /**
   * udp_rcv -> __udp4_lib_rcv (udpv6_rcv -> __udp6_lib_rcv alike): a unicast datagram goes to the socket bound to its port; a multicast
   * one (__udp4_lib_mcast_deliver) to every member: clones to all but the first, then the original
   * to the first. No socket: NoPorts and the skb is freed.
   */
  rcv(skb: Skb, on: RunOn): void {
    const targets = this.#targetsOf(skb.pkt.flow);
    const first = targets[0];
    if (first === undefined) {
      const noPorts = udpCounter(skb, 'NoPorts');
      this.#env.stats.inc(noPorts);
      this.#drop(skb, on.cpu, 'no socket bound to the port', noPorts);
      freeSkb(this.#env, skb, on.cpu);
      return;
    }
    for (let i = 1; i < targets.length; i++) {
      const clone = cloneSkb(this.#env, skb, on.cpu);
      this.queueRcv(targets[i] as UdpSock, clone, on);
    }
    this.queueRcv(first, skb, on);
  }

  /**
   * The sockets a flow's datagrams go to: the first one bound to its port, or for a multicast
   * destination every member of the group bound to it. Bindings are fixed for a run, so looked up once a flow.
   */
  #targetsOf(flow: Flow): readonly UdpSock[] {
    let targets = this.#targetsByFlow.get(flow);
    if (targets === undefined) {
      const mcast = isMulticast(flow.dstText);
      const bound = this.sockets.filter(
        (s) =>
          s.spec.port === flow.dport && (mcast ? s.spec.group === flow.dstText : s.spec.group === undefined),
      );
      // A unicast datagram goes to the first bound socket only.
      targets = mcast ? bound : bound.slice(0, 1);
      this.#targetsByFlow.set(flow, targets);
    }
    return targets;
  }

  /**
   * udp_queue_rcv_skb. From 4.10 (__udp_enqueue_schedule_skb) no socket lock: drop iff
   * sk_rmem_alloc > sk_rcvbuf before the charge (U2a), from 6.18 iff the datagram does not fit
   * in a non-empty queue; either way an empty queue always takes a datagram.
   * Before 4.10: sk_rcvqueues_full (backlog + rmem > rcvbuf) drops; a socket owned by its reader
   * takes the skb on sk_backlog; else sock_queue_rcv_skb drops iff rmem >= rcvbuf.
   */
  queueRcv(sock: UdpSock, skb: Skb, on: RunOn): void {
    const rcvbuf = sock.spec.rcvbufBytes;
    // sk_rxhash is saved only for a connected socket (udp_queue_rcv_one_skb: inet_daddr set), and
    // sock_rps_record_flow records only sk_state == TCP_ESTABLISHED: a bound-only socket is never
    // steered by RFS (include/net/rps.h; seen on 6.18 by npm run live --preset rfs). Only a unicast
    // socket records its rxhash on recvmsg; a group member's is never read.
    const saves = sock.spec.connected || this.#env.cfg.variants.has('linux-rfs-records-unconnected');
    if (saves) sock.rxhash = skb.pkt.hash;
    if (!this.#env.cfg.udpSocketBacklog) {
      this.#admit(
        sock,
        skb,
        on,
        sock.rmemAllocBytes,
        !this.#refuses(sock.rmemAllocBytes, skb, rcvbuf, false),
      );
      return;
    }
    const charged = sock.rmemAllocBytes + sock.backlogBytes;
    if (charged > rcvbuf) {
      this.#admit(sock, skb, on, charged, false);
      return;
    }
    if (sock.ownedByUser) {
      sock.backlog.push(skb);
      sock.backlogBytes += skb.truesizeBytes;
      this.#record(sock, skb, on.cpu, charged, 'backlog');
      return;
    }
    this.#admit(sock, skb, on, sock.rmemAllocBytes, !this.#refuses(sock.rmemAllocBytes, skb, rcvbuf, true));
  }

  /**
   * U2: the rcvbuf test. Locked (before 4.10, sock_queue_rcv_skb): rmem >= rcvbuf drops. From
   * 4.10: rmem > rcvbuf drops; from 6.18 (9aaec660b5be) "if (rmem + size > rcvbuf) { ... if (rmem)
   * goto drop; }": only a datagram that fits, or one into an empty queue, is taken.
   */
  #refuses(rmem: number, skb: Skb, rcvbuf: number, locked: boolean): boolean {
    if (this.#env.has('linux-udp-drops-below-rcvbuf'))
      return rmem > 0 && rmem + skb.truesizeBytes > rcvbuf >> 1;
    if (locked) return rmem >= rcvbuf;
    if (this.#env.cfg.rules['udp-rcvbuf-fits']) return rmem > 0 && rmem + skb.truesizeBytes > rcvbuf;
    return rmem > rcvbuf;
  }

  #admit(sock: UdpSock, skb: Skb, on: RunOn, rmemBefore: number, ok: boolean): void {
    if (ok) {
      sock.rmemAllocBytes += skb.truesizeBytes;
      sock.receiveQueue.push(skb);
      this.#record(sock, skb, on.cpu, rmemBefore, 'queued');
      return;
    }
    this.#record(sock, skb, on.cpu, rmemBefore, 'dropped');
    // U5: "an ENOMEM error is charged twice": RcvbufErrors and InErrors, and the socket's drops.
    this.#env.stats.inc(udpCounter(skb, 'RcvbufErrors'));
    if (!this.#env.has('linux-udp-inerrors-uncounted')) this.#env.stats.inc(udpCounter(skb, 'InErrors'));
    sock.drops++;
    // The drop names the socket's own sk_drops; the MIB pair is checked against the drops in total.
    this.#drop(skb, on.cpu, 'socket receive buffer full', sock.dropsCounter);
    freeSkb(this.#env, skb, on.cpu);
  }

  #record(
    sock: UdpSock,
    skb: Skb,
    cpu: CpuId,
    rmemBefore: number,
    outcome: 'queued' | 'backlog' | 'dropped',
  ): void {
    const event: { -readonly [K in keyof SockQueueEvent]: SockQueueEvent[K] } = {
      kind: 'sock-queue',
      atNs: this.#env.clock.nowNs,
      pkt: skb.id,
      flow: skb.pkt.flow.id,
      sock: sock.spec.index,
      cpu,
      rmemBeforeBytes: rmemBefore,
      truesizeBytes: skb.truesizeBytes,
      rcvbufBytes: sock.spec.rcvbufBytes,
      outcome,
    };
    // The optional fields only where they hold, last (no spread of a literal per datagram).
    if (skb.cloneOf !== undefined) event.cloneOf = skb.cloneOf;
    if (skb.pkt.flow.family === 'inet6') event.family = 'inet6';
    this.#env.trace.record(event);
  }

  #drop(skb: Skb, cpu: CpuId, reason: DropReason, counter: CounterName): void {
    this.#env.trace.record({
      kind: 'drop',
      atNs: this.#env.clock.nowNs,
      pkt: skb.id,
      flow: skb.pkt.flow.id,
      where: 'socket',
      reason,
      counter,
      cpu,
    });
  }

  /** Whether the socket's reader has something to do: a datagram, or a lock to release. */
  readable(sock: UdpSock): boolean {
    return sock.ownedByUser || sock.receiveQueue.length > 0;
  }

  /**
   * One recvmsg on `on.cpu`: udp_recvmsg takes a datagram (InDatagrams, U8), uncharges it,
   * records the flow for RFS (sock_rps_record_flow, R1) and frees the skb (skb_consume_udp):
   * from 6.18 through skb_attempt_defer_free (6471658dc66c "udp: use skb_attempt_defer_free()"),
   * before on the reading CPU at once, as only TCP deferred. Before 4.10 the reader holds the
   * socket lock across the copy; its next step is release_sock, which runs the backlog into the
   * receive queue.
   */
  recvmsg(sock: UdpSock, on: RunOn): void {
    if (sock.ownedByUser) {
      sock.ownedByUser = false;
      sock.backlogBytes = 0;
      // Emptied after the loop: admitting an skb queues or frees it, never backlogs it again.
      for (const skb of sock.backlog)
        this.#admit(
          sock,
          skb,
          on,
          sock.rmemAllocBytes,
          !this.#refuses(sock.rmemAllocBytes, skb, sock.spec.rcvbufBytes, true),
        );
      sock.backlog.length = 0;
      return;
    }
    const skb = sock.receiveQueue.shift();
    if (skb === undefined) return;
    if (this.#env.cfg.udpSocketBacklog) sock.ownedByUser = true;
    sock.rmemAllocBytes -= skb.truesizeBytes;
    this.#env.stats.inc(udpCounter(skb, 'InDatagrams'));
    this.#env.trace.record({
      kind: 'deliver',
      atNs: this.#env.clock.nowNs,
      pkt: skb.id,
      flow: skb.pkt.flow.id,
      seq: skb.pkt.seq,
      cpu: on.cpu,
      thread: on.thread,
      layer: sock.layer,
    });
    if (sock.spec.group === undefined) this.#rfs.record(sock.rxhash, on.cpu);
    if (this.#env.cfg.rules['udp-defer-free'] || this.#env.has('linux-udp-defer-every-version'))
      this.#deferFree(skb, on.cpu);
    else freeSkb(this.#env, skb, on.cpu);
  }
}

/** skb_clone on the delivering CPU: a new head (its own id and buffer) sharing the data. */
function cloneSkb(env: LinuxEnv, skb: Skb, cpu: CpuId): Skb {
  const id = env.nextCloneId();
  const buf = env.nextBuf();
  env.trace.record({ kind: 'alloc', atNs: env.clock.nowNs, buf, what: 'skb', cpu, pkt: id });
  return {
    buf,
    pkt: skb.pkt,
    id,
    allocCpu: cpu,
    truesizeBytes: skb.truesizeBytes,
    secpathBuf: undefined,
    cloneOf: skb.id,
  };
}

type UdpMibField = (typeof UDP_MIB_FIELDS)[number];
/** The counter names of each row, made once: a name built per datagram is a new string to hash. */
const UDP_COUNTERS = {
  Udp: Object.fromEntries(UDP_MIB_FIELDS.map((f) => [f, `Udp.${f}`])) as Record<
    UdpMibField,
    `Udp.${UdpMibField}`
  >,
  Udp6: Object.fromEntries(UDP_MIB_FIELDS.map((f) => [f, `Udp6.${f}`])) as Record<
    UdpMibField,
    `Udp6.${UdpMibField}`
  >,
};

/**
 * The MIB counter a datagram is counted in: udpv6_rcv and udpv6_recvmsg count an IPv6 datagram in
 * /proc/net/snmp6 (Udp6InDatagrams, Udp6RcvbufErrors, Udp6InErrors, Udp6NoPorts), an IPv4 one in
 * the Udp row of /proc/net/snmp, also on a dual-stack socket (net/ipv6/udp.c).
 */
function udpCounter(skb: Skb, field: UdpMibField): CounterName {
  return UDP_COUNTERS[skb.pkt.flow.family === 'inet6' ? 'Udp6' : 'Udp'][field];
}
