import { assert, NS_PER_MS } from '../brand.ts';
import type { TimerHandle } from '../sim/timers.ts';
import type { Host } from './host.ts';
import type { Ifnet, In6Ifaddr } from './ifnet.ts';
import { ND6_RETRANS_TIMER_MS } from './knobs6.ts';
import { nd6NsOutput } from './nd6.ts';
import { nd6Hooks } from './nd6hooks.ts';
import { rtMsg } from './rtsock.ts';

/**
 * IPv6 duplicate address detection (netinet6/nd6_nbr.c nd6_dad_*): a tentative address sends
 * net.inet6.ip6.dad_count solicitations from ::, RetransTimer apart, and becomes usable one
 * RetransTimer after the last unless an NA for it, or another node's probe, arrived first. IPv6
 * DAD sends no announcement at the end (unlike IPv4's ACD).
 */
interface Nd6Dad {
  readonly countPlanned: number;
  nsSent: number;
  timer: TimerHandle | undefined;
}

const dads = new WeakMap<In6Ifaddr, Nd6Dad>();

export function nd6DadStart(host: Host, ifp: Ifnet, ia: In6Ifaddr, delayMs: number): void {
  nd6DadStop(host, ia);
  const dad: Nd6Dad = { countPlanned: host.sysctl['net.inet6.ip6.dad_count'], nsSent: 0, timer: undefined };
  dads.set(ia, dad);
  if (delayMs === 0) step(host, ifp, ia, dad);
  else arm(host, ifp, ia, dad, delayMs);
}

export function nd6DadStop(host: Host, ia: In6Ifaddr): void {
  const dad = dads.get(ia);
  if (dad?.timer !== undefined) host.world.cancel(dad.timer);
  dads.delete(ia);
}

function arm(host: Host, ifp: Ifnet, ia: In6Ifaddr, dad: Nd6Dad, delayMs: number): void {
  dad.timer = host.world.after(delayMs * NS_PER_MS, () => {
    dad.timer = undefined;
    // nd6_dad_stop cancels the timer: on a restart, a verdict, a deletion or the link going down.
    assert(dads.get(ia) === dad, 'nd6_dad_timer: only the current DAD run of an address fires');
    assert(ifp.in6Addrs.includes(ia), 'nd6_dad_timer: DAD stops before its address is deleted');
    step(host, ifp, ia, dad);
  });
}

/** nd6_dad_timer: another probe, or the verdict. */
function step(host: Host, ifp: Ifnet, ia: In6Ifaddr, dad: Nd6Dad): void {
  if (dad.nsSent < dad.countPlanned) {
    dad.nsSent++;
    nd6NsOutput(host, ifp, ia.addr, undefined, undefined, true);
    arm(host, ifp, ia, dad, ND6_RETRANS_TIMER_MS);
    return;
  }
  dads.delete(ia);
  ia.flags.delete('tentative');
  host.rtsock.send(rtMsg('RTM_NEWADDR', [], { IFA: { kind: 'inet6', text: ia.addr } }));
}

/** nd6_dad_duplicated. */
function duplicated(host: Host, ifp: Ifnet, ia: In6Ifaddr, why: 'NS' | 'NA'): void {
  const dad = dads.get(ia);
  host.log(
    `${ifp.name}: DAD detected duplicate IPv6 address ${ia.addr}: NS in/out=${why === 'NS' ? 1 : 0}/${dad?.nsSent ?? 0}, NA in=${why === 'NA' ? 1 : 0}`,
  );
  nd6DadStop(host, ia);
  ia.flags.delete('tentative');
  ia.flags.add('duplicated');
  host.log(`${ifp.name}: DAD complete for ${ia.addr} - duplicate found`);
}

nd6Hooks.dadNsInput = (host, ifp, ia) => duplicated(host, ifp, ia, 'NS');
nd6Hooks.dadNaInput = (host, ifp, ia) => duplicated(host, ifp, ia, 'NA');
