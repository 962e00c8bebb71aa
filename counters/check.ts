import { checkNetstatQ } from './check-netstat-q.ts';
import { checkNetstatS } from './check-netstat-s.ts';
import { checkSnmp } from './check-snmp.ts';
import { checkSoftnet } from './check-softnet.ts';
import type { CounterSection } from './detect.ts';
import type { NetstatQReading } from './netstat-q-faults.ts';
import type { SectionCheck } from './types.ts';

export interface CheckedSection {
  readonly section: CounterSection;
  readonly result: SectionCheck;
}

function checkSection(s: CounterSection, reading: NetstatQReading): SectionCheck {
  switch (s.format) {
    case 'netstat-q':
      return checkNetstatQ(s, reading);
    case 'softnet-stat':
      return checkSoftnet(s);
    case 'proc-net-snmp':
      return checkSnmp(s);
    case 'netstat-s':
      return checkNetstatS(s);
  }
}

export function checkSections(
  sections: readonly CounterSection[],
  reading: NetstatQReading,
): CheckedSection[] {
  return sections.map((section) => ({ section, result: checkSection(section, reading) }));
}
