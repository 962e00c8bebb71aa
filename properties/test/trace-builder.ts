import type {
  AllocEvent,
  ArriveEvent,
  ArriveFragment,
  BatchEvent,
  CountersEvent,
  DeferFreeEvent,
  DeliverEvent,
  DispatchEvent,
  DropEvent,
  EndEvent,
  EnqueueEvent,
  FragHoldEvent,
  FreeEvent,
  HandleEvent,
  IpiEvent,
  KernelEvent,
  NapiPollEvent,
  NetisrWorkRow,
  PolicyErrorEvent,
  ReassembledEvent,
  SockQueueEvent,
  SoftirqEvent,
  StackEvent,
  TraceEvent,
} from '../../model/trace.ts';

/**
 * Small hand-written traces for the checkers' rule tests. Each builder takes the fields a test
 * cares about as plain numbers and fills the rest with neutral defaults (cpu 0, time 0), so a
 * test reads as the few fields that make or break one rule.
 */
type Loose<E> = {
  [K in keyof E]?: E[K] extends number
    ? number
    : E[K] extends number | undefined
      ? number | undefined
      : E[K] extends readonly number[]
        ? readonly number[]
        : E[K];
};
const make = <E extends TraceEvent>(kind: E['kind'], base: object, f: object): E =>
  ({ kind, atNs: 0, ...base, ...f }) as unknown as E;

export const frag = (f: Partial<ArriveFragment> = {}): ArriveFragment => ({
  family: 'inet',
  ipProto: 17,
  ipId: 1,
  offsetBytes: 0,
  lengthBytes: 8,
  moreFragments: false,
  datagramBytes: 8,
  contentVersion: 0,
  datagramDigest: 0,
  datagram: 'd1',
  ...f,
});

export const arrive = (f: Loose<ArriveEvent> = {}): ArriveEvent =>
  make(
    'arrive',
    {
      pkt: 0,
      flow: 0,
      seq: 0,
      ring: 0,
      cpu: 0,
      hash: 0,
      hashType: 'none',
      bucket: undefined,
      fragment: false,
    },
    f,
  );
export const enqueue = (f: Loose<EnqueueEvent> = {}): EnqueueEvent =>
  make('enqueue', { pkt: 0, proto: 'ip', cpu: 0, qlenBeforePackets: 0, qlimitPackets: 10 }, f);
export const batch = (f: Loose<BatchEvent> = {}): BatchEvent =>
  make('batch', { proto: 'ip', cpu: 0, thread: 0, packets: 0 }, f);
export const handle = (f: Loose<HandleEvent> = {}): HandleEvent =>
  make('handle', { pkt: 0, flow: 0, seq: 0, proto: 'ip', cpu: 0, thread: 0, hash: 0, hashType: 'none' }, f);
export const drop = (f: Loose<DropEvent> = {}): DropEvent =>
  make('drop', { pkt: 0, flow: 0, where: 'backlog', reason: 'queue full', counter: 'none', cpu: 0 }, f);
export const deliver = (f: Loose<DeliverEvent> = {}): DeliverEvent =>
  make('deliver', { pkt: 0, flow: 0, seq: 0, cpu: 0, thread: 0, layer: 'udp' }, f);
export const stack = (f: Loose<StackEvent> = {}): StackEvent =>
  make('stack', { thread: 0, cpu: 0, depthBytes: 0, kstackBytes: 100, frames: 'a', pkt: undefined }, f);
export const alloc = (f: Loose<AllocEvent> = {}): AllocEvent =>
  make('alloc', { buf: 0, what: 'mbuf', cpu: 0, pkt: undefined }, f);
export const free = (f: Loose<FreeEvent> = {}): FreeEvent =>
  make('free', { buf: 0, what: 'mbuf', cpu: 0, allocCpu: 0, pkt: undefined }, f);
export const fragHold = (f: Loose<FragHoldEvent> = {}): FragHoldEvent =>
  make(
    'frag-hold',
    {
      pkt: 0,
      flow: 0,
      datagram: 'd1',
      cpu: 0,
      bucket: undefined,
      bucketCpu: undefined,
      offsetBytes: 0,
      lengthBytes: 8,
      heldFragments: 1,
      heldFragmentsMax: -1,
      queueFragments: 1,
      queueFragmentsMax: 16,
      reassBucket: 0,
      reassBucketQueues: 1,
      reassBucketQueuesMax: -1,
      workSteps: 0,
      family: 'inet',
      heldQueues: 1,
      heldQueuesMax: -1,
    },
    f,
  );
export const reassembled = (f: Loose<ReassembledEvent> = {}): ReassembledEvent =>
  make(
    'reassembled',
    {
      pkt: 100,
      flow: 0,
      datagram: 'd1',
      cpu: 0,
      fragments: [],
      payloadBytes: 0,
      payloadDigest: 0,
      seq: 0,
      fullHash: 0,
      fullBucket: undefined,
      fullBucketCpu: undefined,
      continuation: 'reinject',
      family: 'inet',
      fullHashType: 'none',
      pieces: [],
    },
    f,
  );
export const counters = (stats: Record<string, number>, f: Loose<CountersEvent> = {}): CountersEvent =>
  make('counters', { quiescent: true, netisr: [], stats }, f);
export const end = (f: Loose<EndEvent> = {}): EndEvent =>
  make('end', { outcome: 'quiescent', steps: 0, busyCpus: [], pendingPackets: 0 }, f);
export const softirq = (f: Loose<SoftirqEvent> = {}): SoftirqEvent =>
  make(
    'softirq',
    { cpu: 0, thread: 0, phase: 'start', budgetPackets: 300, timeLimitNs: 1000, squeezed: false },
    f,
  );
export const napiPoll = (f: Loose<NapiPollEvent> = {}): NapiPollEvent =>
  make(
    'napi-poll',
    {
      cpu: 0,
      thread: 0,
      napi: 'rxq0',
      weight: 64,
      work: 1,
      budgetLeftBeforePackets: 300,
      startNs: 0,
      completed: true,
    },
    f,
  );
export const sockQueue = (f: Loose<SockQueueEvent> = {}): SockQueueEvent =>
  make(
    'sock-queue',
    {
      pkt: 0,
      flow: 0,
      sock: 0,
      cpu: 0,
      rmemBeforeBytes: 0,
      truesizeBytes: 100,
      rcvbufBytes: 1000,
      outcome: 'queued',
    },
    f,
  );
export const deferFree = (f: Loose<DeferFreeEvent> = {}): DeferFreeEvent =>
  make(
    'defer-free',
    {
      buf: 0,
      pkt: undefined,
      cpu: 1,
      allocCpu: 0,
      outcome: 'deferred',
      listLenBefore: 0,
      deferMax: 4,
      kick: false,
    },
    f,
  );
export const ipi = (f: Loose<IpiEvent> = {}): IpiEvent =>
  make('ipi', { fromCpu: 1, toCpu: 0, reason: 'defer' }, f);

/** A trace with a hole where an event should be: checkers skip it rather than throw. */
export const withHole = (...events: TraceEvent[]): readonly TraceEvent[] => {
  const t: TraceEvent[] = [];
  t.length = 1;
  t.push(...events);
  return t;
};

export const dispatch = (f: Loose<DispatchEvent> = {}): DispatchEvent =>
  make('dispatch', { pkt: 0, proto: 'ip', thread: 0, fromCpu: 0, toCpu: 0, mode: 'direct' }, f);
export const policyError = (f: Loose<PolicyErrorEvent> = {}): PolicyErrorEvent =>
  make('policy-error', { pkt: 0, flow: 0, policy: 'p', error: 'threw', message: 'm', cpu: 0 }, f);
/** A `netstat -Q` Workstreams row, all counts 0 unless given. */
export const row = (f: Loose<NetisrWorkRow> = {}): NetisrWorkRow =>
  ({
    wsid: 0,
    cpu: 0,
    proto: 'ip',
    lenPackets: 0,
    watermarkPackets: 0,
    dispatched: 0,
    hybridDispatched: 0,
    qdrops: 0,
    queued: 0,
    handled: 0,
    qlimitPackets: 10,
    ...f,
  }) as NetisrWorkRow;

/** The opening `kernel` event: Linux 6.18 with the given versioned rules unless told otherwise. */
export const kernel = (f: Partial<KernelEvent> = {}): KernelEvent =>
  make('kernel', { os: 'linux', version: 'linux-6.18', rules: [] }, f);
