import { dirname, posix } from 'node:path';
import ts from 'typescript';

/**
 * Pure checks over a set of sources (root-relative POSIX path -> text): which layer may import
 * which, loops between files, and function length. Pure so that a test can show each check
 * failing on a deliberately wrong tree.
 */
export type Sources = ReadonlyMap<string, string>;

export interface Layer {
  /** The folder (first path segment). */
  readonly folder: string;
  /** Folders its non-test files may import from, itself included. */
  readonly mayImport: readonly string[];
  /** When set, the only files of the listed folders it may import (path prefixes). */
  readonly onlyFiles?: readonly string[];
}

/** The layers of docs/architecture: imports point one way, down. Test code is exempt. */
export const LAYERS: readonly Layer[] = [
  { folder: 'model', mayImport: ['model'] },
  { folder: 'live', mayImport: ['live', 'model'] },
  {
    folder: 'properties',
    mayImport: ['properties', 'model'],
    onlyFiles: ['properties/', 'model/trace.ts', 'model/brand.ts', 'model/vocab.ts', 'model/rules/'],
  },
  { folder: 'policies', mayImport: ['policies', 'model'] },
  { folder: 'counters', mayImport: ['counters', 'model'] },
  { folder: 'harness', mayImport: ['harness', 'model', 'live', 'properties', 'policies', 'counters'] },
  { folder: 'report', mayImport: ['report', 'model', 'properties'] },
  {
    folder: 'cli',
    mayImport: ['cli', 'model', 'live', 'properties', 'policies', 'harness', 'counters', 'report'],
  },
  {
    folder: 'bench',
    // scripts/: the build's own options, so the bench measures code bundled as the package's is.
    mayImport: [
      'bench',
      'model',
      'live',
      'properties',
      'policies',
      'harness',
      'counters',
      'report',
      'scripts',
    ],
  },
];

export const FUNCTION_LINES_MAX = 70;

interface ImportTarget {
  /** A relative import resolved to a root-relative path; a package as named. */
  readonly target: string;
  readonly relative: boolean;
}

function importTargets(path: string, text: string): ImportTarget[] {
  return ts
    .preProcessFile(text, true, false)
    .importedFiles.map(({ fileName }) =>
      fileName.startsWith('.')
        ? { target: posix.normalize(posix.join(dirname(path), fileName)), relative: true }
        : { target: fileName, relative: false },
    );
}

/** Relative imports of one file, resolved to root-relative paths. */
export function importsOf(path: string, text: string): string[] {
  return importTargets(path, text)
    .filter((i) => i.relative)
    .map((i) => i.target);
}

/**
 * Which of `starters` a file imports: a package (`node:child_process`) by the file itself, as that
 * is how a test starts a process; a repository module (root-relative path) directly or through the
 * repository's modules in `sources`. A module that merely imports a package to run a command later
 * (live/system.ts) does not make its importers starters.
 */
export function startersReached(path: string, sources: Sources, starters: readonly string[]): string[] {
  const reached = new Set(importTargets(path, sources.get(path) ?? '').map((i) => i.target));
  const pending = [...reached];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const { target, relative } of importTargets(next, sources.get(next) ?? '')) {
      if (!relative || reached.has(target)) continue;
      reached.add(target);
      pending.push(target);
    }
  }
  return starters.filter((s) => reached.has(s));
}

export function isTestCode(path: string): boolean {
  return (
    path.endsWith('.test.ts') ||
    path.startsWith('test/') ||
    path.includes('/fixtures/') ||
    path.includes('/test/')
  );
}

/** `file:line`-free findings: "from -> to (rule)". */
export function layeringFaults(sources: Sources, layers: readonly Layer[] = LAYERS): string[] {
  const byFolder = new Map(layers.map((l) => [l.folder, l]));
  const faults: string[] = [];
  for (const [path, text] of sources) {
    if (isTestCode(path)) continue;
    const layer = byFolder.get(path.split('/')[0] ?? '');
    if (layer === undefined) continue;
    for (const target of importsOf(path, text)) {
      const folder = target.split('/')[0] ?? '';
      const allowedFolder = layer.mayImport.includes(folder);
      const allowedFile =
        layer.onlyFiles === undefined || layer.onlyFiles.some((prefix) => target.startsWith(prefix));
      if (!allowedFolder || !allowedFile) {
        faults.push(
          `${path} -> ${target}: ${layer.folder}/ may import ${layer.onlyFiles?.join(', ') ?? layer.mayImport.join(', ')}`,
        );
      }
    }
  }
  return faults;
}

/** Strongly connected components of more than one file (Tarjan, with an explicit stack). */
export function importLoops(sources: Sources): string[][] {
  const edges = new Map<string, string[]>();
  for (const [path, text] of sources) {
    edges.set(
      path,
      importsOf(path, text).filter((t) => sources.has(t)),
    );
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const loops: string[][] = [];
  let counter = 0;
  for (const start of edges.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1] as { node: string; next: number };
      const out = edges.get(top.node) ?? [];
      if (top.next < out.length) {
        const to = out[top.next++] as string;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node) as number, index.get(to) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) {
        low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(top.node) as number));
      }
      if (low.get(top.node) !== index.get(top.node)) continue;
      const component: string[] = [];
      for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
        onStack.delete(n);
        component.push(n);
        if (n === top.node) break;
      }
      if (component.length > 1) loops.push(component.sort());
    }
  }
  return loops;
}

/** Functions, methods and arrow functions spanning more than `linesMax` lines: "path:line name (n lines)". */
export function longFunctions(path: string, text: string, linesMax = FUNCTION_LINES_MAX): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const pending: ts.Node[] = [file];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > linesMax) out.push(`${path}:${first + 1} ${functionName(node)} (${lines} lines)`);
    }
    node.forEachChild((child) => {
      pending.push(child);
    });
  }
  return out.sort();
}

function functionName(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name !== undefined && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (parent !== undefined && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return '(anonymous)';
}
