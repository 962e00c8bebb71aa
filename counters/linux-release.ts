/**
 * A Linux release as `uname -r` prints it (`2.6.18-419.el5`, `5.15.0-91-generic`): the numbers at
 * its start. Tables from before a column changed its meaning are read by it (softnet_stat C-2).
 */
export interface LinuxRelease {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const RELEASE = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,5}))?(?:$|[-.+_~])/;

/** The release `uname -r` printed, or undefined for text that does not open with `X.Y`. */
export function parseLinuxRelease(text: string): LinuxRelease | undefined {
  const m = RELEASE.exec(text.trim());
  if (m === null) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function releaseAtLeast(r: LinuxRelease, since: LinuxRelease): boolean {
  if (r.major !== since.major) return r.major > since.major;
  if (r.minor !== since.minor) return r.minor > since.minor;
  return r.patch >= since.patch;
}

export const releaseText = (r: LinuxRelease) => `${r.major}.${r.minor}.${r.patch}`;
