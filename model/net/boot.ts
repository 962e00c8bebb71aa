import { Host, type HostOptions } from './host.ts';
import { attachLoopback } from './ifops.ts';
import type { NetWorld } from './world.ts';
// Protocol modules register their input hooks when loaded.
import './arp.ts';
import './ip.ts';
import './gif.ts';
import './bridge.ts';
import './nd6rtr.ts';
import './stream6.ts';
import './stream.ts';

/** rump_server: a fresh kernel with lo0 configured, living in `world`. */
export function bootHost(world: NetWorld, name: string, options: HostOptions = {}): Host {
  const host = new Host(world, name, options);
  attachLoopback(host);
  return host;
}
