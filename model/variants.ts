/**
 * Deliberately broken model variants: the pre-fix behaviours of real bugs and the broken
 * mechanisms that give each property its teeth. The reference model runs with none; a variant
 * switches one behaviour in exactly one place, named here so tests and regressions cite it.
 */
export const MODEL_VARIANTS = {
  'netisr-drops-one-early': 'netisr enqueue refuses at qlimit - 1 instead of qlimit (breaks N-8)',
  'netisr-lifo-dequeue': 'the netisr thread handles its batch newest first (breaks N-17/N-20 FIFO)',
  'netisr-qdrops-not-counted':
    'a netisr queue drop frees the packet without bumping QDrops (breaks N-9, I-3)',
  'netisr-thread-stalls':
    'a workstream with a queued packet is never scheduled (breaks liveness, N-8 wakeup)',
} as const;

export type ModelVariant = keyof typeof MODEL_VARIANTS;

export function isModelVariant(name: string): name is ModelVariant {
  return Object.hasOwn(MODEL_VARIANTS, name);
}
