// Constants an mTCP program uses, with the values of Linux/glibc (x86-64) and of mtcp_api.h / mtcp_epoll.h.

/** Address family IPv4 (the only one mTCP supports). */
export const AF_INET = 2;
export const PF_INET = 2;
/** Stream socket type (the only one mTCP supports). */
export const SOCK_STREAM = 1;
/** Linux type flags; mtcp_socket() rejects them, as mTCP does (type must equal SOCK_STREAM). */
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;

export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_LINGER = 13;
export const SO_REUSEPORT = 15;

export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;

export const MSG_PEEK = 0x2;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;

export const FIONREAD = 0x541b;
export const FIONBIO = 0x5421;

export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

/** In network byte order, as in C (they read the same in both orders). */
export const INADDR_ANY = 0;
export const INADDR_NONE = 0xffffffff;
export const INADDR_BROADCAST = 0xffffffff;
export const INPORT_ANY = 0;

/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_SIZE = 16;
export const INET_ADDRSTRLEN = 16;

// mtcp_epoll.h
export const MTCP_EPOLLNONE = 0x000;
export const MTCP_EPOLLIN = 0x001;
export const MTCP_EPOLLPRI = 0x002;
export const MTCP_EPOLLOUT = 0x004;
export const MTCP_EPOLLERR = 0x008;
export const MTCP_EPOLLHUP = 0x010;
export const MTCP_EPOLLRDNORM = 0x040;
export const MTCP_EPOLLRDBAND = 0x080;
export const MTCP_EPOLLWRNORM = 0x100;
export const MTCP_EPOLLWRBAND = 0x200;
export const MTCP_EPOLLMSG = 0x400;
export const MTCP_EPOLLRDHUP = 0x2000;
export const MTCP_EPOLLONESHOT = 0x40000000;
/** 1 << 31 as the unsigned value C uses; event masks are treated as unsigned 32-bit numbers. */
export const MTCP_EPOLLET = 0x80000000;

export const MTCP_EPOLL_CTL_ADD = 1;
export const MTCP_EPOLL_CTL_DEL = 2;
export const MTCP_EPOLL_CTL_MOD = 3;

/** Socket types of mTCP's socket table (enum socket_type). */
export const MTCP_SOCK_UNUSED = 0;
export const MTCP_SOCK_STREAM = 1;
export const MTCP_SOCK_PROXY = 2;
export const MTCP_SOCK_LISTENER = 3;
export const MTCP_SOCK_EPOLL = 4;
export const MTCP_SOCK_PIPE = 5;

/** Signals mtcp_register_signal() knows by number (Linux x86-64). */
export const SIGINT = 2;
export const SIGUSR1 = 10;
export const SIGTERM = 15;
