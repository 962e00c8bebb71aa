import { NS_PER_SECOND, NS_PER_US } from '../../model/brand.ts';
import type { CapturedFrame } from '../../model/net/bus.ts';
import { frameLengthBytes, ipLengthBytes } from '../../model/net/frame.ts';
import { formatInAddr } from '../../model/net/inet.ts';
import type { Ipv4Packet } from '../../model/net/wire.ts';
import { ip6Text } from './tcpdump6.ts';

/** tcpdump's time of day for a capture timestamp (the bus starts at 00:00:00). */
function timestamp(atNs: number): string {
  const totalUs = Math.floor(atNs / NS_PER_US);
  const us = totalUs % 1_000_000;
  const totalSeconds = Math.floor(atNs / NS_PER_SECOND);
  const hh = Math.floor(totalSeconds / 3600) % 24;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const ss = totalSeconds % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(hh)}:${two(mm)}:${two(ss)}.${String(us).padStart(6, '0')}`;
}

function ipText(pkt: Ipv4Packet): string {
  const body = pkt.body;
  const head = `${formatInAddr(pkt.src)} > ${formatInAddr(pkt.dst)}`;
  if (body.proto === 'tcp')
    return `${head.replace(' >', `.${body.srcPort} >`)}.${body.dstPort}: Flags [${body.flags}], length ${body.dataBytes}`;
  if (body.proto === 'encap')
    return `${head}: ${body.inner.kind === 'ipv6' ? ip6Text(body.inner) : ipText(body.inner)}`;
  const icmp = body.icmp;
  const len = ipLengthBytes(pkt) - 20;
  switch (icmp.type) {
    case 'echo-request':
      return `${head}: ICMP echo request, id ${icmp.id}, seq ${icmp.seq}, length ${len}`;
    case 'echo-reply':
      return `${head}: ICMP echo reply, id ${icmp.id}, seq ${icmp.seq}, length ${len}`;
    case 'time-exceeded':
      return `${head}: ICMP time exceeded in-transit, length ${len}`;
    case 'unreach':
      return `${head}: ICMP ${formatInAddr(icmp.quoted.dst)} unreachable, length ${len}`;
    case 'redirect':
      return `${head}: ICMP redirect ${formatInAddr(icmp.quoted.dst)} to host ${formatInAddr(icmp.gateway)}, length ${len}`;
    default:
      return head;
  }
}

/** One captured frame as `tcpdump -n -e -r` prints it. */
export function tcpdumpLine(captured: CapturedFrame): string {
  const f = captured.frame;
  const p = f.payload;
  const length = frameLengthBytes(f);
  const link = `${timestamp(captured.atNs)} ${f.src} > ${f.dst}`;
  if (p.kind === 'arp') {
    const what =
      p.op === 'request'
        ? `Request who-has ${formatInAddr(p.tpa)} tell ${formatInAddr(p.spa)}`
        : `Reply ${formatInAddr(p.spa)} is-at ${p.sha}`;
    return `${link}, ethertype ARP (0x0806), length ${length}: ${what}, length 28`;
  }
  if (p.kind === 'ipv6') return `${link}, ethertype IPv6 (0x86dd), length ${length}: ${ip6Text(p)}`;
  return `${link}, ethertype IPv4 (0x0800), length ${length}: ${ipText(p)}`;
}
