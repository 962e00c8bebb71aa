import type { KnobSpec } from '../knobs.ts';

/** net.isr.* (sys/net/netisr.c, section 1.1 of the reference notes). */
export const netisrKnobs = {
  'net.isr.dispatch': {
    default: 'direct',
    values: ['direct', 'hybrid', 'deferred'],
    unit: 'policy',
    source: 'sys/net/netisr.c sysctl_netisr_dispatch_policy (NETISR_DISPATCH_POLICY_DEFAULT)',
  },
  'net.isr.maxthreads': {
    default: 1,
    min: -1,
    max: 64,
    unit: 'threads',
    source: 'sys/net/netisr.c netisr_init (-1 = one per CPU; clamped to the CPU count)',
  },
  'net.isr.bindthreads': {
    default: false,
    unit: 'flag',
    source: 'sys/net/netisr.c netisr_start_swi (intr_event_bind)',
  },
  'net.isr.defaultqlimit': {
    default: 256,
    min: 1,
    max: 10240,
    unit: 'packets',
    source: 'sys/net/netisr.c NETISR_DEFAULT_DEFAULTQLIMIT, netisr_register',
  },
  'net.isr.maxqlimit': {
    default: 10240,
    min: 1,
    max: 10240,
    unit: 'packets',
    source: 'sys/net/netisr.c NETISR_DEFAULT_MAXQLIMIT',
  },
} as const satisfies Record<string, KnobSpec>;

export type NetisrDispatchPolicy = 'direct' | 'hybrid' | 'deferred';
