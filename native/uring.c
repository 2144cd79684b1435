// io_uring set-up with raw system calls (liburing is not needed for this little). See uring.h.
#define _GNU_SOURCE
#include "uring.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

void uring_free(Uring *r) {
  if (r->sqes != NULL && r->sqes != MAP_FAILED) munmap(r->sqes, r->sqesSize);
  if (r->cqRing != NULL && r->cqRing != MAP_FAILED && r->cqRing != r->sqRing) munmap(r->cqRing, r->cqRingSize);
  if (r->sqRing != NULL && r->sqRing != MAP_FAILED) munmap(r->sqRing, r->sqRingSize);
  if (r->fd >= 0) close(r->fd);
  memset(r, 0, sizeof *r);
  r->fd = -1;
}

// Returns 0, or an errno when io_uring is not usable here (old kernel, disabled by sysctl or seccomp).
int uring_init(Uring *r) {
  memset(r, 0, sizeof *r);
  r->fd = -1;
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  // One submitting thread (this one), completions reaped only when we wait: the cheapest mode.
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  int fd = (int)syscall(__NR_io_uring_setup, URING_ENTRIES, &p);
  if (fd < 0 && errno == EINVAL) {
    memset(&p, 0, sizeof p);
    fd = (int)syscall(__NR_io_uring_setup, URING_ENTRIES, &p);
  }
  if (fd < 0) return errno;
  if (!(p.features & IORING_FEAT_EXT_ARG) || !(p.features & IORING_FEAT_NODROP)) {
    close(fd);
    return ENOSYS;
  }
  r->fd = fd;
  r->entries = p.sq_entries;
  r->sqRingSize = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  r->cqRingSize = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if (p.features & IORING_FEAT_SINGLE_MMAP) {
    if (r->cqRingSize > r->sqRingSize) r->sqRingSize = r->cqRingSize;
    r->cqRingSize = r->sqRingSize;
  }
  r->sqRing = mmap(NULL, r->sqRingSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  if (r->sqRing == MAP_FAILED) goto fail;
  if (p.features & IORING_FEAT_SINGLE_MMAP) {
    r->cqRing = r->sqRing;
  } else {
    r->cqRing = mmap(NULL, r->cqRingSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
    if (r->cqRing == MAP_FAILED) goto fail;
  }
  r->sqesSize = p.sq_entries * sizeof(struct io_uring_sqe);
  r->sqes = mmap(NULL, r->sqesSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (r->sqes == MAP_FAILED) goto fail;
  uint8_t *sq = r->sqRing, *cq = r->cqRing;
  r->sqHead = (unsigned *)(sq + p.sq_off.head);
  r->sqTail = (unsigned *)(sq + p.sq_off.tail);
  r->sqMask = (unsigned *)(sq + p.sq_off.ring_mask);
  r->sqArray = (unsigned *)(sq + p.sq_off.array);
  r->cqHead = (unsigned *)(cq + p.cq_off.head);
  r->cqTail = (unsigned *)(cq + p.cq_off.tail);
  r->cqMask = (unsigned *)(cq + p.cq_off.ring_mask);
  r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  return 0;
fail:;
  int e = errno;
  uring_free(r);
  return e;
}
