import type { HostSysctls } from '../../model/host/config.ts';
import type { RunLimits } from '../../model/host/knobs.ts';
import { udpFlow } from '../../model/host/scenario.ts';
import type { Workload, WorkloadItem } from '../../model/host/workload.ts';
import type { Chain } from '../../model/ipsec/chain.ts';
import { ARCH_KSTACK, type IpsecGatewayConfig } from '../../model/ipsec/config.ts';
import { type GatewayRunResult, runIpsecGateway } from '../../model/ipsec/gateway.ts';
import type { IpsecSysctls } from '../../model/ipsec/knobs.ts';
import { unwrap } from '../../model/result.ts';
import type { ModelVariant } from '../../model/variants.ts';

/**
 * The D9721 test box (seed 000): a FreeBSD router receiving clear UDP flows on a 4-queue NIC and
 * sending them out through IPsec, "2000 flows of clear smallest-size UDP packets, multiplexed in
 * one IPSec flow". Scaled down: `flows` flows, the same shape.
 */
export interface D9721Box {
  readonly arch: keyof typeof ARCH_KSTACK;
  readonly chain: Chain;
  readonly cpus?: number;
  readonly rings?: number;
  readonly sysctl?: Partial<HostSysctls>;
  readonly ipsec?: Partial<IpsecSysctls>;
  readonly variants?: readonly ModelVariant[];
  readonly limits?: Partial<RunLimits>;
}

export function d9721Config(box: D9721Box): IpsecGatewayConfig {
  return {
    host: {
      cpuCount: box.cpus ?? 4,
      rxRingCount: box.rings ?? 4,
      sysctl: { ...ARCH_KSTACK[box.arch], ...box.sysctl },
      variants: [...(box.variants ?? [])],
      ...(box.limits === undefined ? {} : { limits: box.limits }),
    },
    ...(box.ipsec === undefined ? {} : { ipsec: box.ipsec }),
    chain: box.chain,
  };
}

/** `bursts` bursts of `burst` packets over `flows` flows, the wire idle `gapNs` after each. */
export function burstyWorkload(
  flows: number,
  bursts: number,
  burst: number,
  gapNs: number,
  snapshotEnd = false,
): Workload {
  const items: WorkloadItem[] = [];
  for (let b = 0; b < bursts; b++) {
    for (let i = 0; i < burst; i++) items.push({ kind: 'packet', flow: (b * burst + i) % flows });
    items.push({ kind: 'pause', ns: gapNs });
  }
  if (snapshotEnd) items.push({ kind: 'snapshot' });
  return { flows: Array.from({ length: flows }, (_, i) => udpFlow(i)), items };
}

export function runBox(
  box: D9721Box,
  workload: Workload,
  schedule: readonly number[] = [],
): GatewayRunResult {
  const r = unwrap(runIpsecGateway({ config: d9721Config(box), workload, schedule }));
  return r;
}
