/**
 * Tunnel nesting checks: how a tunnel interface's output refuses to recurse without end. Pure
 * functions over the nesting tags a packet carries, so any model that walks tunnels on an explicit
 * kernel stack (model/sim/kthread.ts) can share them: the FreeBSD output path here, and NetBSD's
 * gif/ipsecif ports in model/net/.
 *
 *   FreeBSD if_tunnel_check_nesting(ifp, m, cookie, limit) (sys/net/if.c), called by
 *   gif_transmit (cookie MTAG_GIF, net.link.gif.max_nesting) and gre_transmit (MTAG_GRE,
 *   net.link.gre.max_nesting): one tag per tunnel passed, per cookie; the same ifp twice is a
 *   loop; count = 1 + tags with this cookie, count > limit refuses. Both are EIO, the packet is
 *   freed and the tunnel's IFCOUNTER_OERRORS grows.
 *
 *   NetBSD if_tunnel_check_nesting(ifp, m, limit) (sys/net/if.c): one PACKET_TAG_TUNNEL_INFO
 *   counter shared by every tunnel type, created at 0 on the first tunnel and incremented on each
 *   later one; ++count > limit refuses with EIO. No loop detection (the counter bounds loops).
 *
 * API, for any tunnel output path (model/ipsec/output.ts is one user):
 *   1. Keep, per packet, the tunnels it has passed, oldest first (they stand for the m_tags, which
 *      survive queueing, so a netisr or softint hop in between does not reset the count).
 *   2. Before encapsulating into `ifp`: `const r = checkTunnelNesting(flavour, passed, ifp, limit)`,
 *      `limit` being the driver's max_nesting knob (FreeBSD net.link.gif.max_nesting /
 *      net.link.gre.max_nesting, default 1; NetBSD gif's max_gif_nesting, default 1).
 *   3. `r.verdict.ok`: append `ifp` to `passed`; if `r.tagAdded`, the kernel allocated an m_tag
 *      (record it as an `alloc` so resource balance sees it freed with the mbuf).
 *      Otherwise: free the packet, bump the interface's output error counter (`<ifname>.oerrors`,
 *      IFCOUNTER_OERRORS / if_oerrors) and return `r.verdict.errno` (EIO) to the caller.
 */
export type NestingFlavour = 'freebsd' | 'netbsd';

/** A tunnel interface: its driver name and unit (`gif0` is `{ type: 'gif', unit: 0 }`). */
export interface TunnelRef {
  readonly type: string;
  readonly unit: number;
}

export type NestingVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'loop' | 'too-deep';
      readonly count: number;
      readonly errno: 'EIO';
    };

/** The tag a successful check leaves on the packet (`undefined`: none is added). */
export interface NestingResult {
  readonly verdict: NestingVerdict;
  /** FreeBSD prepends one tag per tunnel passed; NetBSD creates its one counter tag once. */
  readonly tagAdded: boolean;
}

/**
 * if_tunnel_check_nesting for the tunnel `ifp` about to encapsulate a packet that has already
 * passed the tunnels in `passed` (outermost last). `limitTunnels` is the type's max_nesting knob.
 */
export function checkTunnelNesting(
  flavour: NestingFlavour,
  passed: readonly TunnelRef[],
  ifp: TunnelRef,
  limitTunnels: number,
): NestingResult {
  if (flavour === 'freebsd') {
    let count = 1;
    for (const t of passed) {
      if (t.type !== ifp.type) continue; // one cookie per driver (MTAG_GIF, MTAG_GRE)
      if (t.unit === ifp.unit) return refused('loop', count);
      count++;
    }
    if (count > limitTunnels) return refused('too-deep', count);
    return { verdict: { ok: true }, tagAdded: true };
  }
  if (passed.length === 0) return { verdict: { ok: true }, tagAdded: true };
  const count = passed.length;
  if (count > limitTunnels) return refused('too-deep', count);
  return { verdict: { ok: true }, tagAdded: false };
}

function refused(reason: 'loop' | 'too-deep', count: number): NestingResult {
  return { verdict: { ok: false, reason, count, errno: 'EIO' }, tagAdded: false };
}

/**
 * The kernel's log line for a refusal (log(LOG_NOTICE, ...) in if_tunnel_check_nesting), as
 * dmesg shows it: the ATF gif_recursive cases grep for it.
 */
export function nestingLogLine(
  flavour: NestingFlavour,
  ifp: TunnelRef,
  verdict: NestingVerdict,
): string | undefined {
  if (verdict.ok) return undefined;
  const name = `${ifp.type}${ifp.unit}`;
  if (flavour === 'netbsd') return `${name}: recursively called too many times(${verdict.count})`;
  return verdict.reason === 'loop'
    ? `${name}: loop detected`
    : `${name}: if_output recursively called too many times(${verdict.count})`;
}
