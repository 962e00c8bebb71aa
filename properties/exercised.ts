import type { Trace } from '../model/trace.ts';

/**
 * What a trace gave each property to judge, in one pass. A checker passes vacuously on a trace
 * without the events it reads; the fuzz report counts, per property, the runs in which it had
 * something to judge, and says "not exercised" rather than "held" when that count is zero.
 */
interface Seen {
  packets: number;
  reorderable: boolean;
  queues: boolean;
  dispatches: boolean;
  nested: boolean;
  buffers: boolean;
  fragments: boolean;
  reassembled: boolean;
  linux: boolean;
}

/**
 * A chain that went through a tunnel, IPsec or netgraph: the nesting stack-depth is about. The
 * plain receive path (ether -> ip inline) is bounded by construction and is not counted.
 */
function nestedFrames(frames: string): boolean {
  return /ipsec|gif|gre|esp_|ah_|ipcomp|ng_/.test(frames);
}

function scan(trace: Trace): Seen {
  const s: Seen = {
    packets: 0,
    reorderable: false,
    queues: false,
    dispatches: false,
    nested: false,
    buffers: false,
    fragments: false,
    reassembled: false,
    linux: false,
  };
  const flows = new Set<number>();
  for (const ev of trace) {
    switch (ev.kind) {
      case 'arrive':
        s.packets++;
        if (flows.has(ev.flow)) s.reorderable = true;
        flows.add(ev.flow);
        if (ev.fragment) s.fragments = true;
        break;
      case 'enqueue':
      case 'drop':
        s.queues = true;
        break;
      case 'dispatch':
      case 'policy-error':
        s.dispatches = true;
        break;
      case 'stack':
        if (!s.nested && nestedFrames(ev.frames)) s.nested = true;
        break;
      case 'alloc':
        s.buffers = true;
        break;
      case 'frag-hold':
        s.fragments = true;
        break;
      case 'reassembled':
        s.reassembled = true;
        break;
      case 'softirq':
      case 'napi-poll':
      case 'sock-queue':
        s.linux = true;
        break;
      default:
        break;
    }
  }
  return s;
}

/** Has something to judge, by property name; a property not listed judges every run with packets. */
const JUDGES: Readonly<Record<string, (s: Seen) => boolean>> = {
  'flow-order': (s) => s.reorderable,
  'no-drop-below-limit': (s) => s.queues,
  'policy-conformance': (s) => s.dispatches,
  'stack-depth': (s) => s.nested,
  'buffer-balance': (s) => s.buffers,
  'reassembly-bounded': (s) => s.fragments,
  'reassembly-continuation': (s) => s.reassembled,
  'reassembly-cpu': (s) => s.fragments,
  'fragment-flow-order': (s) => s.fragments,
  'datagram-intact': (s) => s.fragments,
  'linux-flow-order': (s) => s.linux && s.reorderable,
  'linux-no-drop-below-limit': (s) => s.linux,
  'linux-resource-balance': (s) => s.linux,
  'linux-napi-budget': (s) => s.linux,
  'linux-rps-ipi': (s) => s.linux,
  'linux-kernel-version': (s) => s.linux,
};

/** The properties this file knows what to look for; a test holds it to the whole registry. */
export const EXERCISE_RULES_FOR: readonly string[] = Object.keys(JUDGES);

const hasPackets = (s: Seen) => s.packets > 0;

/**
 * `exercisedBy` for one list of properties, each one's test looked up once: a fuzz search asks
 * it of every run.
 */
export function exercisedIn(properties: readonly string[]): (trace: Trace) => string[] {
  const judges = properties.map((name) => JUDGES[name] ?? hasPackets);
  return (trace) => {
    const s = scan(trace);
    const out: string[] = [];
    for (let i = 0; i < judges.length; i++) if (judges[i]?.(s) === true) out.push(properties[i] as string);
    return out;
  };
}

/** The names among `properties` that had something to judge in this trace. */
export function exercisedBy(trace: Trace, properties: readonly string[]): string[] {
  return exercisedIn(properties)(trace);
}
