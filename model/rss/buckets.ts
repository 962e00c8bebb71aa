import { assert, type BucketId, bucketId, type CpuId, cpuId } from '../brand.ts';
import { RSS_MAXBITS, RSS_MAXCPUS } from './knobs.ts';

/**
 * The RSS bucket layer: hash -> bucket (low bits, R-6) and the indirection table bucket -> CPU
 * . The table is data, so tests and the fuzzer can give non-identity tables.
 */
export interface BucketTable {
  readonly bucketCount: number;
  readonly bucketMask: number;
  /** bucketCpus[b] is the CPU that owns bucket b. */
  readonly bucketCpus: readonly CpuId[];
}

/** R-4 (rss_init): bits = fls(ncpus - 1) + 1 unless tuned; 0 bits on one CPU; at most RSS_MAXBITS. */
export function rssBits(cpuCount: number, tunedBits = 0): number {
  const ncpus = Math.min(cpuCount, RSS_MAXCPUS);
  if (ncpus <= 1) return 0;
  const bits = tunedBits > 0 ? tunedBits : fls(ncpus - 1) + 1;
  return Math.min(bits, RSS_MAXBITS);
}

/** Find last set bit, 1-based (fls(9) = 4), 0 for 0 (clz32(0) is 32). */
function fls(n: number): number {
  return 32 - Math.clz32(n);
}

/** the boot table assigns buckets round-robin over the CPUs: bucket b -> CPU b % ncpus. */
export function defaultBucketTable(cpuCount: number, tunedBits = 0): BucketTable {
  const bucketCount = 1 << rssBits(cpuCount, tunedBits);
  const ncpus = Math.min(cpuCount, RSS_MAXCPUS);
  return makeBucketTable(Array.from({ length: bucketCount }, (_, b) => cpuId(b % ncpus)));
}

/** A table from explicit owners; the bucket count must be a power of two. */
export function makeBucketTable(bucketCpus: readonly CpuId[]): BucketTable {
  const bucketCount = bucketCpus.length;
  assert(bucketCount >= 1 && (bucketCount & (bucketCount - 1)) === 0, 'R-4: bucket count is a power of two');
  return { bucketCount, bucketMask: bucketCount - 1, bucketCpus };
}

/** R-6 (rss_getbucket): the low bits of the hash. */
export function bucketOf(table: BucketTable, hash: number): BucketId {
  return bucketId(hash & table.bucketMask);
}

/** R-5 (rss_getcpu). */
export function cpuOfBucket(table: BucketTable, bucket: BucketId): CpuId {
  const cpu = table.bucketCpus[bucket];
  if (cpu === undefined) assert(false, `R-5: bucket ${bucket} outside a table of ${table.bucketCount}`);
  return cpu;
}
