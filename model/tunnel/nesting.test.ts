import { describe, expect, it } from 'vitest';
import { checkTunnelNesting, nestingLogLine, type TunnelRef } from './nesting.ts';

const gif = (unit: number): TunnelRef => ({ type: 'gif', unit });
const gre = (unit: number): TunnelRef => ({ type: 'gre', unit });

describe('if_tunnel_check_nesting', () => {
  it('FreeBSD: counts only tags of the same driver; count > limit is EIO; each pass adds a tag', () => {
    expect(checkTunnelNesting('freebsd', [], gif(0), 1)).toEqual({ verdict: { ok: true }, tagAdded: true });
    expect(checkTunnelNesting('freebsd', [gif(0)], gif(1), 1).verdict).toEqual({
      ok: false,
      reason: 'too-deep',
      count: 2,
      errno: 'EIO',
    });
    expect(checkTunnelNesting('freebsd', [gif(0)], gif(1), 2).verdict.ok).toBe(true);
    // gre tags are another cookie: a gif inside a gre is the first gif.
    expect(checkTunnelNesting('freebsd', [gre(0)], gif(0), 1).verdict.ok).toBe(true);
  });

  it('FreeBSD: the same interface twice is a loop, whatever the limit', () => {
    expect(checkTunnelNesting('freebsd', [gif(3), gif(5)], gif(3), 16).verdict).toMatchObject({
      ok: false,
      reason: 'loop',
    });
  });

  it('NetBSD: one counter for every tunnel type, created on the first; ++count > limit is EIO', () => {
    expect(checkTunnelNesting('netbsd', [], gif(0), 1)).toEqual({ verdict: { ok: true }, tagAdded: true });
    // The counter starts at 0, so with the default limit 1 a second tunnel still passes ...
    expect(checkTunnelNesting('netbsd', [gif(0)], gre(0), 1)).toEqual({
      verdict: { ok: true },
      tagAdded: false,
    });
    // ... and a third does not; a loop is only caught by the count.
    expect(checkTunnelNesting('netbsd', [gif(0), gif(0)], gif(0), 1).verdict).toMatchObject({
      ok: false,
      reason: 'too-deep',
      count: 2,
    });
  });

  it('a refused packet carries no new tag on either kernel (the check returns EIO before m_tag_prepend)', () => {
    expect(checkTunnelNesting('freebsd', [gif(0)], gif(0), 4).tagAdded).toBe(false);
    expect(checkTunnelNesting('freebsd', [gif(0)], gif(1), 1).tagAdded).toBe(false);
    expect(checkTunnelNesting('netbsd', [gif(0), gif(0)], gif(0), 1).tagAdded).toBe(false);
  });

  it('logs the refusal as each kernel does (dmesg)', () => {
    const netbsd = checkTunnelNesting('netbsd', [gif(2), gif(1)], gif(0), 1).verdict;
    expect(nestingLogLine('netbsd', gif(0), netbsd)).toBe('gif0: recursively called too many times(2)');
    const loop = checkTunnelNesting('freebsd', [gif(0)], gif(0), 4).verdict;
    expect(nestingLogLine('freebsd', gif(0), loop)).toBe('gif0: loop detected');
    const deep = checkTunnelNesting('freebsd', [gif(0)], gif(1), 1).verdict;
    expect(nestingLogLine('freebsd', gif(1), deep)).toBe(
      'gif1: if_output recursively called too many times(2)',
    );
    expect(nestingLogLine('freebsd', gif(1), { ok: true })).toBeUndefined();
  });
});
