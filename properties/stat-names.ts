/** Distinct names one reading keeps; past it, a name is read again at every call. */
const NAMES_MAX = 4096;

/**
 * A reading of a statistic's name, remembered per name. Every snapshot of every run names the same
 * few hundred statistics (`softnet_cpuN.*`, `udp_sockN.*`, the inet and netisr counters), and the
 * checkers read each name with patterns whose matches are new strings: made again at every
 * snapshot, they were a good part of the checkers' garbage. The reading must be a pure function of
 * the name; a hand-written trace can name anything, so only the first NAMES_MAX names are kept.
 */
export function perStatName<T>(read: (name: string) => T): (name: string) => T {
  const known = new Map<string, T>();
  return (name) => {
    const hit = known.get(name);
    if (hit !== undefined || known.has(name)) return hit as T;
    const got = read(name);
    if (known.size < NAMES_MAX) known.set(name, got);
    return got;
  };
}
