// The mTCP API (mtcp_api.h, mtcp_epoll.h) with its constants and helpers; re-exported by the package root.

export * from './constants.js';
export * from './errno.js';
export { htons, ntohs, htonl, ntohl, inet_addr, inet_ntoa, inetAtonHost, type InAddrLike } from './byte-order.js';
export { InAddr, SockaddrIn, socklen, sockaddrIn, sockaddrHostIp, sockaddrHostPort, type Sockaddr, type Socklen } from './sockaddr.js';
export { MtcpContext, mtcp_errno, type mctx_t } from './context.js';
export { MtcpEpollEvent, MtcpEpollData, mtcp_epoll_events, EventToString } from './epoll.js';
export { PIPE_BUFFER_SIZE } from './pipe.js';
export {
  mtcp_socket, mtcp_bind, mtcp_listen, mtcp_accept, mtcp_connect, mtcp_close, mtcp_abort, mtcp_shutdown,
  mtcp_getsockname, mtcp_getpeername,
} from './sockets.js';
export { mtcp_read, mtcp_recv, mtcp_readv, mtcp_write, mtcp_writev, IOV_MAX } from './io.js';
export {
  mtcp_getsockopt, mtcp_setsockopt, mtcp_setsock_nonblock, mtcp_socket_ioctl, Linger, type IntBox, type OptionValue,
} from './sockopt.js';
export { mtcp_epoll_create, mtcp_epoll_create1, mtcp_epoll_ctl, mtcp_epoll_wait } from './epoll-calls.js';
export {
  mtcp_init, mtcp_destroy, mtcp_getconf, mtcp_setconf, mtcp_core_affinitize, mtcp_create_context,
  mtcp_destroy_context, mtcp_register_signal, mtcp_init_rss, mtcp_pipe, mtcp_contexts, MtcpConf, SIG_DFL, SIG_ERR,
  type MtcpSighandler, type CreateContextOptions,
} from './lifecycle.js';
export { MemorySwitchRegistry, defaultMemorySwitches } from '../core/context.js';
