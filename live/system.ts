import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Runs a command synchronously; answers its stdout, or throws with its stderr's first line. */
export function run(cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const line = (err.stderr ?? '').split('\n').find((l) => l.trim() !== '') ?? err.message;
    throw new Error(`${cmd} ${args.join(' ')}: ${line.trim()}`);
  }
}

/** Like run, inside network namespace `ns` (ip netns exec also gives it its own /sys). */
export function runIn(ns: string, cmd: string, args: readonly string[]): string {
  return run('ip', ['netns', 'exec', ns, cmd, ...args]);
}

/** /proc/sys path of a net.core sysctl. */
export function sysctlPath(name: string): string {
  return `/proc/sys/${name.replaceAll('.', '/')}`;
}

/** A sysctl as the kernel prints it (a bitmap is printed in hex without 0x). */
export function readSysctl(name: string): string {
  return readFileSync(sysctlPath(name), 'utf8').trim();
}

export function writeSysctl(name: string, value: string): void {
  writeFileSync(sysctlPath(name), `${value}\n`);
}

/** Whether a process id is alive (signal 0; EPERM still means it exists). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
