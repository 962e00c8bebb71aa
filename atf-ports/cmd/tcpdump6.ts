import { ip6PayloadBytes } from '../../model/net/frame.ts';
import { formatInAddr } from '../../model/net/inet.ts';
import type { Icmp6Message, Ipv6Packet } from '../../model/net/wire.ts';

/** tcpdump's wording of one ICMPv6 message (print-icmp6.c). */
function icmp6Text(icmp: Icmp6Message, len: number): string {
  switch (icmp.type) {
    case 'echo-request':
      return `ICMP6, echo request, id ${icmp.id}, seq ${icmp.seq}, length ${len}`;
    case 'echo-reply':
      return `ICMP6, echo reply, id ${icmp.id}, seq ${icmp.seq}, length ${len}`;
    case 'ns':
      return `ICMP6, neighbor solicitation, who has ${icmp.target}, length ${len}`;
    case 'na':
      return `ICMP6, neighbor advertisement, tgt is ${icmp.target}, length ${len}`;
    case 'rs':
      return `ICMP6, router solicitation, length ${len}`;
    case 'ra':
      return `ICMP6, router advertisement, length ${len}`;
    case 'redirect':
      return `ICMP6, redirect, ${icmp.dst} to ${icmp.target}, length ${len}`;
    case 'time-exceeded':
      return `ICMP6, time exceeded in-transit, length ${len}`;
    case 'unreach':
      return `ICMP6, destination unreachable, ${unreachText(icmp.code, icmp.quoted)}, length ${len}`;
    default:
      return assertNever(icmp);
  }
}

function unreachText(code: Extract<Icmp6Message, { type: 'unreach' }>['code'], quoted: Ipv6Packet): string {
  switch (code) {
    case 'noroute':
      return `unreachable route ${quoted.dst}`;
    case 'admin':
      return `unreachable prohibited ${quoted.dst}`;
    case 'beyondscope':
      return `beyond scope of source address ${quoted.src}`;
    case 'addr':
      return `unreachable address ${quoted.dst}`;
    case 'port':
      return `${quoted.dst} unreachable port`;
    default:
      return assertNever(code);
  }
}

/** The network part of `tcpdump -n` for an IPv6 packet: `src > dst: ...`. */
export function ip6Text(pkt: Ipv6Packet): string {
  const head = `${pkt.src} > ${pkt.dst}`;
  const body = pkt.body;
  if (body.proto === 'icmp6') return `${head}: ${icmp6Text(body.icmp6, ip6PayloadBytes(pkt))}`;
  if (body.proto === 'tcp')
    return `${pkt.src}.${body.srcPort} > ${pkt.dst}.${body.dstPort}: Flags [${body.flags}], length ${body.dataBytes}`;
  const inner = body.inner;
  const innerHead =
    inner.kind === 'ipv6'
      ? `${inner.src} > ${inner.dst}`
      : `${formatInAddr(inner.src)} > ${formatInAddr(inner.dst)}`;
  return `${head}: ${innerHead}: (tunnelled)`;
}

function assertNever(value: never): never {
  throw new Error(`unhandled value: ${JSON.stringify(value)}`);
}
