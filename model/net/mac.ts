/** An Ethernet address in canonical lower-case colon form (`b2:a0:00:00:00:01`). */
export type Mac = string & { readonly __brand: 'Mac' };

export const ETHER_BROADCAST = 'ff:ff:ff:ff:ff:ff' as Mac;

/** Parses `xx:xx:xx:xx:xx:xx` (one or two hex digits per octet, as ether_aton accepts). */
export function parseMac(text: string): Mac | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':') as Mac;
}

/** A MAC from six octets. */
export function macOf(octets: readonly number[]): Mac {
  return octets.map((o) => (o & 0xff).toString(16).padStart(2, '0')).join(':') as Mac;
}

export function macOctets(mac: Mac): number[] {
  return mac.split(':').map((p) => Number.parseInt(p, 16));
}
