// Mutants Stryker should not count, each with the reason it prints in its report.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** Model invariant guards: `assert(cond, 'RULE: msg')` fails only in a broken model. */
const GUARDS = new Set(['assert', 'assertNever']);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'invariant-guards', {
    shouldIgnore(path) {
      if (!path.isExpressionStatement()) return undefined;
      const call = path.node.expression;
      if (call.type !== 'CallExpression' || call.callee.type !== 'Identifier') return undefined;
      if (!GUARDS.has(call.callee.name)) return undefined;
      return 'An invariant guard: its failure branch is reachable only in a broken model, so a mutant that disables it or changes its message is equivalent on a correct one. The properties check the same invariants from the trace.';
    },
  }),
];
