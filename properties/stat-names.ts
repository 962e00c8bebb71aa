/** Distinct names one reading keeps; past it, a name is read again at every call. */
const NAMES_MAX = 4096;

/** A name kept as reading undefined. */
const NO_READING: unique symbol = Symbol('no reading');

/**
 * A reading of a statistic's name, remembered per name. Every snapshot of every run names the same
 * few hundred statistics (`softnet_cpuN.*`, `udp_sockN.*`, the inet and netisr counters), and the
 * checkers read each name with patterns whose matches are new strings: made again at every
 * snapshot, they were a good part of the checkers' garbage. The reading must be a pure function of
 * the name; a hand-written trace can name anything, so only the first NAMES_MAX names are kept.
 */
export function perStatName<T>(read: (name: string) => T): (name: string) => T {
  // Most names read as undefined (no match): kept as NO_READING, so a hit is one lookup.
  const known = new Map<string, T | typeof NO_READING>();
  return (name) => {
    const hit = known.get(name);
    if (hit !== undefined) return (hit === NO_READING ? undefined : hit) as T;
    const got = read(name);
    if (known.size < NAMES_MAX) known.set(name, got === undefined ? NO_READING : got);
    return got;
  };
}
