import { readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPolicySource, type PolicySource } from '../../model/policy.ts';
import { describeThrown, describeValue } from '../../model/policy-describe.ts';
import { err, ok, type Result } from '../../model/result.ts';
import { importCompiledPolicy } from './compile-policy.ts';
import { importModule } from './import-module.ts';

/** Extensions the loader (tsx) takes. */
const POLICY_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
const TYPESCRIPT = ['.ts', '.mts'];

export interface LoadedPolicy {
  readonly source: PolicySource;
  /** Which export held it. */
  readonly exportName: 'default' | 'policy';
  /** The file's base name, used when the policy has no name of its own. */
  readonly fallbackName: string;
}

/** Checks what can be checked without running the file: it exists, is a file, has a known extension. */
export function checkPolicyFile(file: string): string | undefined {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return `policy file ${file}: no such file`;
  }
  if (!isFile) return `policy file ${file}: not a file`;
  if (!POLICY_EXTENSIONS.includes(extname(file))) {
    return `policy file ${file}: want a ${POLICY_EXTENSIONS.join(' / ')} module`;
  }
  return undefined;
}

/** The useful line of a load error: esbuild's `file:3:5: ERROR: ...`, else the first line. */
export function loadErrorLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const lines = text.split('\n').map((l) => l.trim());
  const esbuild = lines.find((l) => /ERROR: /.test(l));
  if (esbuild !== undefined)
    return `syntax error: ${esbuild.replace(/^.*?:(\d+:\d+): ERROR: /, 'line $1: ')}`;
  return lines.find((l) => l !== '') ?? text;
}

/**
 * With `hooks` (a fuzz worker), a TypeScript policy is compiled in memory where it can be, and the
 * hooks are registered only where it cannot; without, the file is imported as it is. `instance` > 0
 * imports it under a URL of its own: evaluated again, its module-level state starts over (files
 * it imports from outside the bundle are shared).
 */
async function importPolicyModule(
  file: string,
  hooks: (() => Promise<void>) | undefined,
  instance: number,
): Promise<Record<string, unknown>> {
  if (hooks !== undefined && TYPESCRIPT.includes(extname(file))) {
    const compiled = await importCompiledPolicy(file, instance);
    if (compiled !== undefined) return compiled;
    await hooks();
  }
  const url = pathToFileURL(resolve(file));
  if (instance > 0) url.searchParams.set('instance', String(instance));
  return (await importModule(url.href)) as Record<string, unknown>;
}

/** What the default and `policy` exports are, when present: ` (default: the number 42)`. */
function exportValues(mod: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['default', 'policy']) {
    if (key in mod) parts.push(`${key}: ${exportValue(mod, key)}`);
  }
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

function exportValue(mod: Record<string, unknown>, key: string): string {
  try {
    const value = mod[key];
    if (value === null || value === undefined) return String(value);
    if (Array.isArray(value)) return `an array ${describeValue(value)}`;
    if (typeof value === 'object') return `an object without a place() method ${describeValue(value)}`;
    return `the ${typeof value} ${describeValue(value)}`;
  } catch {
    return 'a value that threw when read';
  }
}

/** CommonJS assignments are lost on a file loaded as an ES module (esm-hook.ts): say so. */
function commonJsHint(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  return /\bmodule\.exports\b|\bexports\.\w+\s*=/.test(text)
    ? ' (it assigns CommonJS exports: policy files load as ES modules, so write `export default`)'
    : '';
}

/**
 * Imports a policy module and picks its policy: the default export, else a named export `policy`;
 * either a DispatchPolicy or a factory `(cfg) => DispatchPolicy`. Answers one line on failure.
 * `instance` > 0: a fresh evaluation of the module (importPolicyModule).
 */
export async function loadPolicy(
  file: string,
  hooks?: () => Promise<void>,
  instance = 0,
): Promise<Result<LoadedPolicy, string>> {
  const bad = checkPolicyFile(file);
  if (bad !== undefined) return err(bad);
  let mod: Record<string, unknown>;
  try {
    mod = await importPolicyModule(file, hooks, instance);
  } catch (thrown) {
    return err(`policy file ${file} does not load: ${loadErrorLine(thrown)}`);
  }
  const fallbackName = basename(file, extname(file));
  try {
    // An export may be a Proxy or carry a throwing `place` getter: that is the file's fault.
    if (isPolicySource(mod.default)) return ok({ source: mod.default, exportName: 'default', fallbackName });
    if (isPolicySource(mod.policy)) return ok({ source: mod.policy, exportName: 'policy', fallbackName });
  } catch (thrown) {
    return err(`policy file ${file}: reading its export threw ${describeThrown(thrown)}`);
  }
  const exported = Object.keys(mod).filter((k) => k !== '__esModule');
  const has =
    exported.length === 0
      ? 'exports nothing'
      : `exports ${exported.join(', ')}, none a policy${exportValues(mod)}`;
  return err(
    `policy file ${file} ${has}: want a default export or an export named 'policy' that is a DispatchPolicy or a (cfg) => DispatchPolicy factory${commonJsHint(file)}`,
  );
}
