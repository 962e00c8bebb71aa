/**
 * Address parsing at the boundary: text in, network-byte-order bytes out, once per flow.
 * Malformed text is an operating error reported to the caller, never an assertion.
 */

export type AddressFamily = 'inet' | 'inet6';

export function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out.push(value);
  }
  return out;
}

export function parseIpv6(text: string): number[] | undefined {
  const zoneless = text.split('%')[0] ?? '';
  const halves = zoneless.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      groups.push(Number.parseInt(g, 16));
    }
    return groups;
  };
  const head = parseGroups(halves[0] ?? '');
  // Without '::' there is no second half: '' parses to no groups.
  const tail = parseGroups(halves[1] ?? '');
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...new Array<number>(Math.max(missing, 0)).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/**
 * Parsed addresses by family and text: every run of a fuzz job parses its flows again, mostly the
 * same few addresses. Bounded: the table starts over once it holds this many entries.
 */
const PARSED_ENTRIES_MAX = 4096;
const parsed = {
  inet: new Map<string, readonly number[] | null>(),
  inet6: new Map<string, readonly number[] | null>(),
};

/** The address's bytes, shared between calls (read only: a flow copies them into its hash input), or undefined. */
export function parseAddress(family: AddressFamily, text: string): number[] | undefined {
  const table = family === 'inet' ? parsed.inet : parsed.inet6;
  let bytes = table.get(text);
  if (bytes === undefined) {
    const fresh = family === 'inet' ? parseIpv4(text) : parseIpv6(text);
    bytes = fresh === undefined ? null : fresh;
    if (table.size >= PARSED_ENTRIES_MAX) table.clear();
    table.set(text, bytes);
  }
  return bytes === null ? undefined : (bytes as number[]);
}

/** Port as two bytes, network byte order. */
export function portBytes(port: number): [number, number] {
  return [(port >> 8) & 0xff, port & 0xff];
}
