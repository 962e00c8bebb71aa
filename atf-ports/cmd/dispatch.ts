import { arp } from './arp.ts';
import { brconfig } from './brconfig.ts';
import { dmesg } from './dmesg.ts';
import { ifconfig } from './ifconfig.ts';
import { ftp, ifconf } from './misc.ts';
import { ndp } from './ndp.ts';
import { netstat } from './netstat.ts';
import { ping } from './ping.ts';
import { ping6 } from './ping6.ts';
import { route } from './route.ts';
import { rtadvd } from './rtadvd.ts';
import { sysctl } from './sysctl.ts';
import { type CmdContext, type CmdResult, type Command, failure } from './types.ts';

/** The rump.* client programs the ports run, by name. */
const COMMANDS: Record<string, Command> = {
  ifconfig,
  route,
  netstat,
  arp,
  ping,
  ping6,
  dmesg,
  brconfig,
  rtadvd,
  sysctl,
  ndp,
  ifconf,
  ftp,
};

/** Runs one command line (`ifconfig shmif0 up`) against the context's host. */
export function runCommand(ctx: CmdContext, commandLine: string): CmdResult {
  const argv = commandLine.trim().split(/\s+/);
  const [name = '', ...args] = argv;
  const command = COMMANDS[name.replace(/^rump\./, '')];
  if (command === undefined) return failure(`${name}: not found\n`, 127);
  return command(ctx, args);
}
