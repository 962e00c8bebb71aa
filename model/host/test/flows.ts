import type { FlowSpec } from '../../rss/flowhash.ts';

/** An IPv6 TCP flow on documentation addresses, for the host tests' workloads. */
export const inet6Flow: FlowSpec = {
  family: 'inet6',
  ipProto: 6,
  src: '2001:db8::1',
  dst: '2001:db8::2',
  sport: 5,
  dport: 6,
};
