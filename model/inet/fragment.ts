import type { ProtocolRegistration } from '../netisr/protocols.ts';
import type { Flow, FragmentFields } from '../packet.ts';
import type { ArriveFragment } from '../trace.ts';
import { datagramDigest } from './payload.ts';
import { datagramKey, datagramKeyText } from './reass-key.ts';

/**
 * What the trace says about an arriving fragment: its header, and the sender's whole datagram
 * (length, digest, F-2 key), so checkers can compare what reassembly delivers with what was sent.
 */
export function arriveFragment(flow: Flow, f: FragmentFields): ArriveFragment {
  const datagramBytes = f.datagramBytes ?? f.offsetBytes + f.lengthBytes;
  return {
    family: flow.family,
    ipProto: flow.ipProto,
    ipId: f.ipId,
    offsetBytes: f.offsetBytes,
    lengthBytes: f.lengthBytes,
    moreFragments: f.moreFragments,
    datagramBytes,
    contentVersion: f.contentVersion ?? 0,
    datagramDigest: datagramDigest(flow.id, f.ipId, datagramBytes),
    datagram: datagramKeyText(datagramKey(flow, f)),
  };
}

/**
 * NETISR_IPV6_DIRECT (10) as an RSS kernel registers it (ip6_input.c ip6_direct_nh: CPU policy,
 * rss_m2cpuid, hybrid). The 2015 RSS kernel of the blog's netstat -Q has no such row, so IPv6
 * datagrams go up inline there; add this through `extraProtocols` to model a current kernel.
 */
export const IP6_DIRECT_REGISTRATION: ProtocolRegistration = {
  name: 'ip6_direct',
  proto: 10,
  policy: 'cpu',
  dispatch: 'hybrid',
  qlimitPackets: 0,
  m2cpuid: true,
  drainedcpu: false,
  m2flow: false,
};
