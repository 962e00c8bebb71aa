import type { CpuId } from '../brand.ts';
import type { ProtocolRegistration } from '../netisr/protocols.ts';
import { type BucketTable, bucketOf, cpuOfBucket } from '../rss/buckets.ts';
import { type HashType, hasBucketAffinity } from '../rss/hashtype.ts';

export interface RssPromiseSetup {
  /** A kernel with options RSS. */
  readonly rss: boolean;
  readonly buckets: BucketTable;
  readonly protocols: readonly { readonly reg: ProtocolRegistration }[];
  /** nws_array: CPUs with a netisr thread. */
  readonly workstreamCpus: readonly CpuId[];
  /** The CPU of each rx ring's interrupt thread. */
  readonly ringCpus: readonly CpuId[];
  /** The ring a correctly programmed NIC picks for a hash. */
  readonly ringOf: (hash: number) => number;
}

/**
 * Where an RSS kernel promises to handle a packet: the CPU of its bucket, but only when
 * the protocol places by CPU through rss m2cpuid, that CPU has a netisr thread, and, for
 * packets from the wire, the driver bound the bucket's ring to that CPU. Elsewhere there is
 * no promise and the answer is undefined; checkers then have nothing to hold the model to.
 */
export class RssPromise {
  readonly #s: RssPromiseSetup;
  readonly #withThread: ReadonlySet<number>;
  /** The protocols that place by CPU (rss m2cpuid), by name: asked on every arrival. */
  readonly #byCpu = new Set<string>();

  constructor(setup: RssPromiseSetup) {
    this.#s = setup;
    this.#withThread = new Set(setup.workstreamCpus);
    // A name's first registration decides (the protocol table holds each name once).
    const seen = new Set<string>();
    for (const { reg } of setup.protocols) {
      if (!seen.has(reg.name) && reg.policy === 'cpu') this.#byCpu.add(reg.name);
      seen.add(reg.name);
    }
  }

  /** The bucket CPU an arriving packet is promised to (ip / ip6 input). */
  arrival(family: 'inet' | 'inet6', hash: number, hashType: HashType): CpuId | undefined {
    const cpu = this.#bucketCpu(family === 'inet' ? 'ip' : 'ip6', hash, hashType);
    // No bucket CPU stays no promise: the ring's CPU is never undefined, so never equal to it.
    return this.#s.ringCpus[this.#s.ringOf(hash)] === cpu ? cpu : undefined;
  }

  /**
   * The bucket CPU a re-injected datagram is promised to (ip_direct / ip6_direct, F-27); none for
   * a kernel without that protocol (`proto` undefined).
   */
  direct(proto: string | undefined, hash: number, hashType: HashType): CpuId | undefined {
    return this.#bucketCpu(proto, hash, hashType);
  }

  #bucketCpu(proto: string | undefined, hash: number, hashType: HashType): CpuId | undefined {
    if (!this.#s.rss || !hasBucketAffinity(hashType)) return undefined;
    if (proto === undefined || !this.#byCpu.has(proto)) return undefined;
    const cpu = cpuOfBucket(this.#s.buckets, bucketOf(this.#s.buckets, hash));
    return this.#withThread.has(cpu) ? cpu : undefined;
  }
}
