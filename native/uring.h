// A minimal io_uring, used by tap.c only to batch writes: a TAP has no sendmmsg and writev merges frames, so
// io_uring is the one way to hand the kernel many frames per system call (limits.md §2a: +46..61 % frames/s).
#ifndef MTCP_TAP_URING_H
#define MTCP_TAP_URING_H

#include <linux/io_uring.h>
#include <stddef.h>

#define URING_ENTRIES 64

typedef struct {
  int fd; // -1 when not in use
  unsigned *sqHead, *sqTail, *sqMask, *sqArray;
  unsigned *cqHead, *cqTail, *cqMask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
  void *sqRing, *cqRing;
  size_t sqRingSize, cqRingSize, sqesSize;
  unsigned entries;
} Uring;

/** Sets up a ring of URING_ENTRIES; returns 0, or an errno when io_uring is not usable here. */
int uring_init(Uring *r);
/** Unmaps and closes the ring; leaves r->fd == -1. */
void uring_free(Uring *r);

#endif
