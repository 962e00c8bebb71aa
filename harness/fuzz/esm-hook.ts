/**
 * A module resolve hook for the fuzz worker: every file outside node_modules that a policy brings
 * in (.ts, .mts, .js, .mjs) is an ES module, whatever package.json stands (or does not) above it,
 * so top-level await and `export` work the same in a checkout, a user's project or /tmp.
 */
interface Resolved {
  readonly url: string;
  readonly format?: string | null;
}

type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

const AS_MODULE = /\.(?:ts|mts|js|mjs)$/;

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<Resolved> {
  const resolved = await next(specifier, context);
  const { url } = resolved;
  if (url.startsWith('file:') && AS_MODULE.test(url) && !url.includes('/node_modules/')) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
