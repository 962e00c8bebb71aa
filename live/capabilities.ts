import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/**
 * What a live run needs from this machine; the first one missing, as one line naming it and the
 * fix, or undefined when all are there.
 */
export function missingCapability(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux: a live run drives the Linux kernel it runs on';
  if (process.getuid?.() !== 0)
    return 'not root: run as root (namespaces, sysctls and tracefs need it), e.g. sudo npm run live';
  if (!existsSync('/proc/self/ns/net')) return 'no network namespaces: boot a kernel with CONFIG_NET_NS=y';
  for (const tool of ['ip', 'taskset']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        return `no ${tool} command: install ${tool === 'ip' ? 'iproute2' : 'util-linux'}`;
    }
  }
  // Every run writes each rx queue's rps_cpus and rps_flow_cnt, which only an RPS kernel has.
  if (!existsSync('/proc/sys/net/core/rps_sock_flow_entries'))
    return 'no RPS: boot a kernel with CONFIG_RPS=y (no /proc/sys/net/core/rps_sock_flow_entries)';
  const fs = readFileSync('/proc/filesystems', 'utf8');
  if (!/\btracefs\b/.test(fs))
    return 'no tracefs: boot a kernel with CONFIG_TRACING=y (tracefs is not in /proc/filesystems)';
  for (const event of ['net/netif_rx_entry', 'skb/kfree_skb', 'napi/napi_poll']) {
    const root = existsSync('/sys/kernel/tracing/events') ? '/sys/kernel/tracing' : undefined;
    if (root !== undefined && !existsSync(`${root}/events/${event}`))
      return `no ${event} tracepoint: boot a kernel with CONFIG_NET and tracepoints on (CONFIG_TRACEPOINTS=y)`;
  }
  return undefined;
}

/** Kernel options a sysctl's file depends on, named in the line that says it is missing. */
const SYSCTL_CONFIG: Readonly<Record<string, string>> = {
  'net.core.flow_limit_cpu_bitmap': 'CONFIG_NET_FLOW_LIMIT',
  'net.core.flow_limit_table_len': 'CONFIG_NET_FLOW_LIMIT',
};

/**
 * The first global sysctl asked for that this kernel does not have, as one line naming its file
 * and the kernel option that makes it, or undefined (before anything is created or changed).
 */
export function missingSysctl(
  names: readonly string[],
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  for (const name of names) {
    const path = `/proc/sys/${name.replaceAll('.', '/')}`;
    if (exists(path)) continue;
    const config = SYSCTL_CONFIG[name];
    return `${name}: this kernel has no ${path}${config === undefined ? '' : ` (built without ${config}?)`}`;
  }
  return undefined;
}

export function cpuCountOnline(): number {
  // /sys/devices/system/cpu/online is e.g. "0-1"; the highest CPU + 1 is nr_cpu_ids here.
  const online = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
  const last = online
    .split(/[,-]/)
    .map(Number)
    .reduce((a, b) => Math.max(a, b), 0);
  return last + 1;
}
