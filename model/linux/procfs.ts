import { UDP_MIB_FIELDS } from '../vocab.ts';
/**
 * The kernel's text for the counters the Linux model keeps, so real parsers (and check-counters)
 * read model output and real output alike:
 * - /proc/net/softnet_stat: net/core/net-procfs.c softnet_seq_show, 13 columns of %08x (5.10+);
 * - /proc/net/snmp Udp rows: net/ipv4/proc.c snmp_seq_show_udp_udplite (6.x field list);
 * - /proc/net/udp: net/ipv4/udp.c udp4_format_sock, with the drops column last.
 */

/** One CPU's struct softnet_data counters as softnet_seq_show reads them. */
export interface SoftnetRow {
  readonly processed: number;
  readonly dropped: number;
  readonly timeSqueeze: number;
  readonly receivedRps: number;
  readonly flowLimitCount: number;
  readonly backlogLenPackets: number;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** `%08x` x 13: processed dropped time_squeeze 0 0 0 0 0 0(cpu_collision) received_rps flow_limit_count backlog_len index. */
export function renderSoftnetStat(rows: readonly SoftnetRow[]): string {
  return rows
    .map((r, index) =>
      [
        r.processed,
        r.dropped,
        r.timeSqueeze,
        0,
        0,
        0,
        0,
        0,
        0,
        r.receivedRps,
        r.flowLimitCount,
        r.backlogLenPackets,
        index,
      ]
        .map(hex8)
        .join(' '),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** The Udp MIB fields /proc/net/snmp prints, in order (snmp4_udp_list): the trace vocabulary's list. */
export const UDP_SNMP_FIELDS = UDP_MIB_FIELDS;

export type UdpMib = Readonly<Record<(typeof UDP_SNMP_FIELDS)[number], number>>;

/** The `Udp:` header and values lines, then the same for UdpLite (all zero here). */
export function renderProcNetSnmpUdp(udp: UdpMib): string {
  const header = (proto: string) => `${proto}: ${UDP_SNMP_FIELDS.join(' ')}\n`;
  return (
    header('Udp') +
    `Udp: ${UDP_SNMP_FIELDS.map((f) => udp[f]).join(' ')}\n` +
    header('UdpLite') +
    `UdpLite: ${UDP_SNMP_FIELDS.map(() => 0).join(' ')}\n`
  );
}

/** One socket as udp4_format_sock prints it. */
export interface ProcUdpSock {
  /** The hash slot (`sl`): here the socket's index. */
  readonly slot: number;
  /** Local address, dotted quad (0.0.0.0 for a wildcard bind). */
  readonly localAddress: string;
  readonly localPort: number;
  readonly txQueueBytes: number;
  readonly rxQueueBytes: number;
  readonly uid: number;
  readonly inode: number;
  readonly refcount: number;
  readonly drops: number;
}

/** %08X of an IPv4 address as the kernel prints the __be32 on little-endian x86. */
function addrHex(dotted: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
  return (((d << 24) | (c << 16) | (b << 8) | a) >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** The header line and one line per socket, fields as udp4_format_sock lays them out. */
export function renderProcNetUdp(socks: readonly ProcUdpSock[]): string {
  const header =
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';
  const hex = (n: number, w: number) => (n >>> 0).toString(16).toUpperCase().padStart(w, '0');
  const lines = socks.map((s) => {
    const local = `${addrHex(s.localAddress)}:${hex(s.localPort, 4)}`;
    const pointer = `0000000000000000`;
    return `${String(s.slot).padStart(5)}: ${local} 00000000:0000 07 ${hex(s.txQueueBytes, 8)}:${hex(s.rxQueueBytes, 8)} 00:00000000 00000000 ${String(s.uid).padStart(5)}        0 ${s.inode} ${s.refcount} ${pointer} ${s.drops}\n`;
  });
  // udp4_seq_show: seq_setwidth(127) then seq_pad, so every line is padded to 127 columns.
  return [header, ...lines].map((l) => `${l.slice(0, -1).padEnd(127)}\n`).join('');
}
