import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.ts';
import type { LiveFamily } from './config.ts';
import { pidAlive, run } from './system.ts';
import { ownerPid } from './topology.ts';

/**
 * The tracepoints a live run records, and the filter each gets (`dev` is the receiving device,
 * `family` the workload's IP version).
 */
export function liveEvents(
  dev: string,
  family: LiveFamily = 'inet',
): readonly { readonly event: string; readonly filter?: string }[] {
  return [
    { event: 'net/netif_rx_entry', filter: `name == "${dev}"` },
    { event: 'net/netif_receive_skb', filter: `name == "${dev}"` },
    // kfree_skb carries no device: only skbs of the workload's ethertype (ETH_P_IP 0x0800,
    // ETH_P_IPV6 0x86dd) are kept, matched to ours by address later.
    { event: 'skb/kfree_skb', filter: `protocol == ${family === 'inet6' ? 0x86dd : 0x0800}` },
    { event: 'napi/napi_poll' },
  ];
}

/** Where tracefs is mounted, mounting our own at a temporary directory if it is not. */
export function tracefsRoot(cleanup: Cleanup): string {
  if (existsSync('/sys/kernel/tracing/instances')) return '/sys/kernel/tracing';
  const dir = mkdtempSync(join(tmpdir(), 'nsc-tracefs-'));
  run('mount', ['-t', 'tracefs', 'nodev', dir]);
  cleanup.add(`unmount ${dir}`, () => {
    run('umount', [dir]);
    rmdirSync(dir);
  });
  return dir;
}

/** Removes instances left by runs whose process is gone. */
export function removeStaleInstances(root: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(join(root, 'instances'))) {
    const pid = ownerPid(name);
    if (pid === undefined || pidAlive(pid)) continue;
    rmdirSync(join(root, 'instances', name));
    removed.push(name);
  }
  return removed;
}

/** A tracefs instance of our own: its own buffer, so nothing else using ftrace is disturbed. */
export class TraceInstance {
  readonly dir: string;

  constructor(
    root: string,
    name: string,
    dev: string,
    family: LiveFamily,
    bufferKb: number,
    cleanup: Cleanup,
  ) {
    this.dir = join(root, 'instances', name);
    mkdirSync(this.dir);
    cleanup.add(`remove tracefs instance ${name}`, () => {
      this.write('tracing_on', '0');
      rmdirSync(this.dir);
    });
    this.write('tracing_on', '0');
    this.write('buffer_size_kb', String(bufferKb));
    // One clock for every CPU, so events of different CPUs merge in real order.
    this.write('trace_clock', 'global');
    for (const { event, filter } of liveEvents(dev, family)) {
      if (filter !== undefined) this.write(`events/${event}/filter`, filter);
      this.write(`events/${event}/enable`, '1');
    }
  }

  write(file: string, value: string): void {
    writeFileSync(join(this.dir, file), `${value}\n`);
  }

  on(): void {
    this.write('tracing_on', '1');
  }

  off(): void {
    this.write('tracing_on', '0');
  }

  /** The recorded lines (comments dropped), and whether any CPU's buffer overran. */
  read(): { readonly lines: string[]; readonly overrun: number } {
    const lines = readFileSync(join(this.dir, 'trace'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    let overrun = 0;
    for (const cpu of readdirSync(join(this.dir, 'per_cpu'))) {
      const stats = readFileSync(join(this.dir, 'per_cpu', cpu, 'stats'), 'utf8');
      overrun += Number(/overrun: (\d+)/.exec(stats)?.[1] ?? 0);
    }
    return { lines, overrun };
  }
}
