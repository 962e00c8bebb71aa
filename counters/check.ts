import { checkNetstatQ } from './check-netstat-q.ts';
import { checkNetstatS } from './check-netstat-s.ts';
import { checkSnmp } from './check-snmp.ts';
import { checkSoftnet } from './check-softnet.ts';
import type { CounterSection } from './detect.ts';
import type { CounterReading } from './reading.ts';
import type { SectionCheck } from './types.ts';

export interface CheckedSection {
  readonly section: CounterSection;
  readonly result: SectionCheck;
}

function checkSection(s: CounterSection, reading: CounterReading): SectionCheck {
  switch (s.format) {
    case 'netstat-q':
      return checkNetstatQ(s, reading);
    case 'softnet-stat':
      return checkSoftnet(s, reading);
    case 'proc-net-snmp':
      return checkSnmp(s, reading);
    case 'netstat-s':
      return checkNetstatS(s, reading);
  }
}

export function checkSections(
  sections: readonly CounterSection[],
  reading: CounterReading,
): CheckedSection[] {
  return sections.map((section) => ({ section, result: checkSection(section, reading) }));
}
