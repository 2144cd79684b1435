// errno names, numbers and messages as on Linux with glibc. The numbers are the engine's (src/tcp/errno.ts) so a
// -errno coming up from tcp/ reaches the application unchanged, as mTCP does.

import * as E from '../tcp/errno.js';

export {
  EPERM, ENOENT, EINTR, EIO, EBADF, EAGAIN, EWOULDBLOCK, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, ENODEV, EINVAL,
  ENFILE, EMFILE, ENOSPC, EPIPE, ENOSYS, ENOTSOCK, EDESTADDRREQ, EMSGSIZE, EPROTOTYPE, ENOPROTOOPT,
  EPROTONOSUPPORT, ESOCKTNOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN, ENETUNREACH,
  ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN, ESHUTDOWN, ETIMEDOUT, ECONNREFUSED, EHOSTDOWN,
  EHOSTUNREACH, EALREADY, EINPROGRESS,
} from '../tcp/errno.js';

/** errno -> [symbolic name, glibc strerror() text]. EWOULDBLOCK shares EAGAIN's number and text. */
const TABLE: ReadonlyArray<readonly [number, string, string]> = [
  [E.EPERM, 'EPERM', 'Operation not permitted'],
  [E.ENOENT, 'ENOENT', 'No such file or directory'],
  [E.EINTR, 'EINTR', 'Interrupted system call'],
  [E.EIO, 'EIO', 'Input/output error'],
  [E.EBADF, 'EBADF', 'Bad file descriptor'],
  [E.EAGAIN, 'EAGAIN', 'Resource temporarily unavailable'],
  [E.ENOMEM, 'ENOMEM', 'Cannot allocate memory'],
  [E.EACCES, 'EACCES', 'Permission denied'],
  [E.EFAULT, 'EFAULT', 'Bad address'],
  [E.EBUSY, 'EBUSY', 'Device or resource busy'],
  [E.EEXIST, 'EEXIST', 'File exists'],
  [E.ENODEV, 'ENODEV', 'No such device'],
  [E.EINVAL, 'EINVAL', 'Invalid argument'],
  [E.ENFILE, 'ENFILE', 'Too many open files in system'],
  [E.EMFILE, 'EMFILE', 'Too many open files'],
  [E.ENOSPC, 'ENOSPC', 'No space left on device'],
  [E.EPIPE, 'EPIPE', 'Broken pipe'],
  [E.ENOSYS, 'ENOSYS', 'Function not implemented'],
  [E.ENOTSOCK, 'ENOTSOCK', 'Socket operation on non-socket'],
  [E.EDESTADDRREQ, 'EDESTADDRREQ', 'Destination address required'],
  [E.EMSGSIZE, 'EMSGSIZE', 'Message too long'],
  [E.EPROTOTYPE, 'EPROTOTYPE', 'Protocol wrong type for socket'],
  [E.ENOPROTOOPT, 'ENOPROTOOPT', 'Protocol not available'],
  [E.EPROTONOSUPPORT, 'EPROTONOSUPPORT', 'Protocol not supported'],
  [E.ESOCKTNOSUPPORT, 'ESOCKTNOSUPPORT', 'Socket type not supported'],
  [E.EOPNOTSUPP, 'EOPNOTSUPP', 'Operation not supported'],
  [E.EAFNOSUPPORT, 'EAFNOSUPPORT', 'Address family not supported by protocol'],
  [E.EADDRINUSE, 'EADDRINUSE', 'Address already in use'],
  [E.EADDRNOTAVAIL, 'EADDRNOTAVAIL', 'Cannot assign requested address'],
  [E.ENETDOWN, 'ENETDOWN', 'Network is down'],
  [E.ENETUNREACH, 'ENETUNREACH', 'Network is unreachable'],
  [E.ECONNABORTED, 'ECONNABORTED', 'Software caused connection abort'],
  [E.ECONNRESET, 'ECONNRESET', 'Connection reset by peer'],
  [E.ENOBUFS, 'ENOBUFS', 'No buffer space available'],
  [E.EISCONN, 'EISCONN', 'Transport endpoint is already connected'],
  [E.ENOTCONN, 'ENOTCONN', 'Transport endpoint is not connected'],
  [E.ESHUTDOWN, 'ESHUTDOWN', 'Cannot send after transport endpoint shutdown'],
  [E.ETIMEDOUT, 'ETIMEDOUT', 'Connection timed out'],
  [E.ECONNREFUSED, 'ECONNREFUSED', 'Connection refused'],
  [E.EHOSTDOWN, 'EHOSTDOWN', 'Host is down'],
  [E.EHOSTUNREACH, 'EHOSTUNREACH', 'No route to host'],
  [E.EALREADY, 'EALREADY', 'Operation already in progress'],
  [E.EINPROGRESS, 'EINPROGRESS', 'Operation now in progress'],
];

const NAMES = new Map<number, string>();
const MESSAGES = new Map<number, string>();
for (const [num, name, text] of TABLE) {
  NAMES.set(num, name);
  MESSAGES.set(num, text);
}

/** The glibc message for `errnum`, as strerror(3): "Success" for 0, "Unknown error N" for unknown numbers. */
export function strerror(errnum: number): string {
  if (errnum === 0) return 'Success';
  return MESSAGES.get(errnum) ?? `Unknown error ${errnum}`;
}

/** The symbolic name of `errnum` ("ECONNRESET"), or undefined if this module does not know it. */
export function errnoName(errnum: number): string | undefined {
  return NAMES.get(errnum);
}
