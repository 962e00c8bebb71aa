import { err, ok, type Result } from '../result.ts';

/**
 * The errno values the substrate returns, with the strerror(3) text the NetBSD tools print.
 * Operating errors are values (an Errno), never exceptions.
 */
export const errnoText = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  ENXIO: 'Device not configured',
  EIO: 'Input/output error',
  EBUSY: 'Device busy',
  EEXIST: 'File exists',
  EINVAL: 'Invalid argument',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: "Can't assign requested address",
  ENETDOWN: 'Network is down',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EHOSTDOWN: 'Host is down',
  EAFNOSUPPORT: 'Address family not supported by protocol family',
  EOPNOTSUPP: 'Operation not supported',
  ETIMEDOUT: 'Connection timed out',
} as const;

export type Errno = keyof typeof errnoText;

/** Either a value or an errno: the shape of every ioctl-like call of the substrate. */
export type ErrnoResult<T> = Result<T, Errno>;

export { ok };
export const fail = (errno: Errno): { readonly ok: false; readonly error: Errno } => err(errno);
