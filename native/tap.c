// mtcp_tap: the smallest native piece mtcp-ts needs to exchange Ethernet frames with a Linux TAP device.
// It opens /dev/net/tun (optionally inside a named network namespace), reads and writes bursts of frames
// between the fd and arenas owned by JavaScript (one N-API call per burst), and reports readability through
// a libuv poll watcher, so no thread ever blocks in read(2) and closing the fd lets the process exit.
// Everything above frame I/O lives in TypeScript (src/link/tap.ts).

#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/io_uring.h>
#include <linux/time_types.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "uring.h"
#include "vnet.h"

// Per-frame info flags shared with tap.ts (rxInfo/txInfo[2*i]); [2*i+1] holds the GSO segment size.
#define INFO_CSUM_PARTIAL 1 // rx: the kernel left the L4 checksum partial; tx: the caller did, complete it
#define INFO_CSUM_VALID 2   // rx: the checksum is known good (completed here, or VIRTIO_NET_HDR_F_DATA_VALID)

// Indices into the shared Float64Array `stats`.
#define STAT_RX_DROPPED 0
#define STAT_TX_DROPPED 1
#define STAT_RX_BYTES_LAST 2 // bytes of the frames returned by the last readBatch
#define STAT_TX_BYTES_LAST 3 // bytes of the frames sent by the last writeBatch
#define STAT_COUNT 4

typedef struct {
  uint8_t *data;
  size_t dataLen;
  int32_t *offsets;
  int32_t *lengths;
  uint16_t *info;
  int capacity;
  int slotSize;
} Arena;

typedef struct {
  int fd;
  int vnet;           // 1 when every frame carries a struct virtio_net_hdr in front
  int completeRxCsum; // finish partial checksums of received frames in C
  int attached;
  int closed;
  int polling;
  napi_env env;
  uv_poll_t *poll; // heap: freed in its close callback, which may run after the context is gone
  napi_ref handler;
  napi_ref resource;
  napi_async_context asyncCtx;
  napi_ref bufferRefs[9];
  Arena rx;
  Arena tx;
  double *stats;
  Uring ring;
  struct iovec txIov[2 * 64]; // vnet mode with io_uring: header + frame per queued write
  struct virtio_net_hdr txHdr[64];
} TapCtx;

// ---------------------------------------------------------------------------------------------------
// small N-API helpers (not on the hot path unless noted)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, message, error, errnoValue;
  const char *name = err == ENOENT   ? "ENOENT"
                     : err == EPERM  ? "EPERM"
                     : err == EACCES ? "EACCES"
                     : err == EBUSY  ? "EBUSY"
                     : err == EINVAL ? "EINVAL"
                     : err == EBADF  ? "EBADF"
                     : err == ENODEV ? "ENODEV"
                     : err == ENOMEM ? "ENOMEM"
                     : err == EBADFD ? "EBADFD"
                                     : "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, err, &errnoValue);
  napi_set_named_property(env, error, "errno", errnoValue);
  napi_set_named_property(env, error, "syscall", message);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static TapCtx *get_ctx(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "mtcp_tap: expected a TAP context");
    return NULL;
  }
  return (TapCtx *)p;
}

// ---------------------------------------------------------------------------------------------------
// lifetime

static void ctx_release(TapCtx *c) {
  if (c->closed) return;
  c->closed = 1;
  if (c->poll != NULL) {
    if (c->polling) uv_poll_stop(c->poll);
    c->polling = 0;
    // The close callback runs on a later loop turn. When a worker thread exits, Node may unload this
    // addon before that turn, so the callback must not live in this library: libc's free does the job.
    uv_close((uv_handle_t *)c->poll, (uv_close_cb)(void (*)(void))free);
    c->poll = NULL;
  }
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  if (c->ring.fd >= 0) uring_free(&c->ring);
  napi_env env = c->env;
  if (c->handler) napi_delete_reference(env, c->handler);
  c->handler = NULL;
  if (c->asyncCtx) napi_async_destroy(env, c->asyncCtx);
  c->asyncCtx = NULL;
  if (c->resource) napi_delete_reference(env, c->resource);
  c->resource = NULL;
  for (int i = 0; i < 9; i++) {
    if (c->bufferRefs[i]) napi_delete_reference(env, c->bufferRefs[i]);
    c->bufferRefs[i] = NULL;
  }
  c->attached = 0;
}

static void cleanup_hook(void *arg) { ctx_release((TapCtx *)arg); }

static void ctx_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  TapCtx *c = (TapCtx *)data;
  if (!c->closed) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, c);
    ctx_release(c);
  }
  free(c);
}

// ---------------------------------------------------------------------------------------------------
// open(ifname, flags, netnsPath | null, offloads, useIoUring) -> { ctx, fd, ifname, ioUring: true | false | why-not }
// flags: IFF_* for TUNSETIFF (the caller passes IFF_TAP | IFF_NO_PI | ...). offloads: TUN_F_* for TUNSETOFFLOAD,
// or -1 to skip that ioctl. With netnsPath the device is created inside that namespace: the tun socket takes
// the network namespace of the thread that opens /dev/net/tun, so only that thread switches (setns on a
// thread is allowed in a multi-threaded process for CLONE_NEWNET) and switches back before returning.

static int open_tap(const char *ifname, int flags, int offloads, char *nameOut, int *errOut, const char **whatOut) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *errOut = errno;
    *whatOut = "open /dev/net/tun";
    return -1;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  ifr.ifr_flags = (short)flags;
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    *errOut = errno;
    *whatOut = "ioctl TUNSETIFF";
    close(fd);
    return -1;
  }
  if (offloads >= 0 && ioctl(fd, TUNSETOFFLOAD, (unsigned int)offloads) < 0) {
    *errOut = errno;
    *whatOut = "ioctl TUNSETOFFLOAD";
    close(fd);
    return -1;
  }
  memcpy(nameOut, ifr.ifr_name, IFNAMSIZ);
  nameOut[IFNAMSIZ - 1] = 0;
  return fd;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) return throw_type(env, "open(ifname, flags, netnsPath, offloads, useIoUring)");
  char ifname[IFNAMSIZ];
  size_t n = 0;
  if (napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &n) != napi_ok)
    return throw_type(env, "ifname must be a string");
  int32_t flags = 0, offloads = -1, useUring = 0;
  if (napi_get_value_int32(env, argv[1], &flags) != napi_ok) return throw_type(env, "flags must be a number");
  if (napi_get_value_int32(env, argv[4], &useUring) != napi_ok) return throw_type(env, "useIoUring must be a number");
  if (napi_get_value_int32(env, argv[3], &offloads) != napi_ok) return throw_type(env, "offloads must be a number");
  char nsPath[512] = {0};
  napi_valuetype t;
  napi_typeof(env, argv[2], &t);
  if (t == napi_string) {
    if (napi_get_value_string_utf8(env, argv[2], nsPath, sizeof nsPath, &n) != napi_ok || n == 0 ||
        n >= sizeof nsPath - 1)
      return throw_type(env, "bad netns path");
  } else if (t != napi_null && t != napi_undefined) {
    return throw_type(env, "netnsPath must be a string or null");
  }

  int err = 0;
  const char *what = "";
  char name[IFNAMSIZ];
  int fd;
  if (nsPath[0]) {
    int target = open(nsPath, O_RDONLY | O_CLOEXEC);
    if (target < 0) return throw_errno(env, "open netns", errno);
    int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home < 0) {
      int e = errno;
      close(target);
      return throw_errno(env, "open /proc/thread-self/ns/net", e);
    }
    if (setns(target, CLONE_NEWNET) < 0) {
      int e = errno;
      close(target);
      close(home);
      return throw_errno(env, "setns into netns", e);
    }
    fd = open_tap(ifname, flags, offloads, name, &err, &what);
    if (setns(home, CLONE_NEWNET) < 0) {
      // The main thread would stay in the wrong namespace: nothing sane can continue.
      napi_fatal_error("mtcp_tap", NAPI_AUTO_LENGTH, "setns back to the original netns failed", NAPI_AUTO_LENGTH);
    }
    close(target);
    close(home);
  } else {
    fd = open_tap(ifname, flags, offloads, name, &err, &what);
  }
  if (fd < 0) return throw_errno(env, what, err);

  TapCtx *c = (TapCtx *)calloc(1, sizeof(TapCtx));
  uv_poll_t *poll = (uv_poll_t *)calloc(1, sizeof(uv_poll_t));
  uv_loop_t *loop = NULL;
  if (c == NULL || poll == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok ||
      uv_poll_init(loop, poll, fd) != 0) {
    free(c);
    free(poll);
    close(fd);
    return throw_errno(env, "uv_poll_init", ENOMEM);
  }
  c->fd = fd;
  c->ring.fd = -1;
  int uringError = useUring ? uring_init(&c->ring) : 0;
  c->vnet = (flags & IFF_VNET_HDR) != 0;
  c->completeRxCsum = 1;
  c->env = env;
  c->poll = poll;
  poll->data = c;
  napi_add_env_cleanup_hook(env, cleanup_hook, c);

  napi_value result, ext, fdValue, nameValue;
  napi_create_external(env, c, ctx_finalize, NULL, &ext);
  napi_create_int32(env, fd, &fdValue);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &nameValue);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "ctx", ext);
  napi_set_named_property(env, result, "fd", fdValue);
  napi_set_named_property(env, result, "ifname", nameValue);
  napi_value uringValue;
  if (c->ring.fd >= 0) {
    napi_get_boolean(env, true, &uringValue);
  } else if (useUring) {
    napi_create_string_utf8(env, strerror(uringError), NAPI_AUTO_LENGTH, &uringValue); // why not
  } else {
    napi_get_boolean(env, false, &uringValue);
  }
  napi_set_named_property(env, result, "ioUring", uringValue);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// attach(ctx, rxData, rxOffsets, rxLengths, rxInfo, rxSlotSize, txData, txOffsets, txLengths, txInfo, stats,
//        completeRxCsum)
// Registers the arenas once so that the per-burst calls take only the context. The typed arrays are held by
// references, so their memory stays alive (and, being off-heap, in place) while attached.

static int get_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) != napi_ok || type != want) return 0;
  return 1;
}

static napi_value js_attach(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 12) return throw_type(env, "attach: 12 arguments expected");
  TapCtx *c = get_ctx(env, argv[0]);
  if (c == NULL) return NULL;
  if (c->closed) return throw_errno(env, "attach", EBADF);
  void *p;
  size_t n;
  Arena rx, tx;
  int32_t rxSlot = 0, complete = 1;
  if (!get_typed(env, argv[1], napi_uint8_array, &p, &n)) return throw_type(env, "rxData: Uint8Array");
  rx.data = p, rx.dataLen = n;
  if (!get_typed(env, argv[2], napi_int32_array, &p, &n)) return throw_type(env, "rxOffsets: Int32Array");
  rx.offsets = p, rx.capacity = (int)n;
  if (!get_typed(env, argv[3], napi_int32_array, &p, &n) || (int)n != rx.capacity)
    return throw_type(env, "rxLengths: Int32Array of the same capacity");
  rx.lengths = p;
  if (!get_typed(env, argv[4], napi_uint16_array, &p, &n) || (int)n != 2 * rx.capacity)
    return throw_type(env, "rxInfo: Uint16Array of 2 * capacity");
  rx.info = p;
  napi_get_value_int32(env, argv[5], &rxSlot);
  if (rxSlot <= 0) return throw_type(env, "rxSlotSize must be positive");
  rx.slotSize = rxSlot;
  if (!get_typed(env, argv[6], napi_uint8_array, &p, &n)) return throw_type(env, "txData: Uint8Array");
  tx.data = p, tx.dataLen = n;
  if (!get_typed(env, argv[7], napi_int32_array, &p, &n) || n > 64) return throw_type(env, "txOffsets: Int32Array(<= 64)");
  tx.offsets = p, tx.capacity = (int)n;
  if (!get_typed(env, argv[8], napi_int32_array, &p, &n) || (int)n != tx.capacity)
    return throw_type(env, "txLengths: Int32Array of the same capacity");
  tx.lengths = p;
  if (!get_typed(env, argv[9], napi_uint16_array, &p, &n) || (int)n != 2 * tx.capacity)
    return throw_type(env, "txInfo: Uint16Array of 2 * capacity");
  tx.info = p;
  tx.slotSize = 0;
  if (!get_typed(env, argv[10], napi_float64_array, &p, &n) || n < STAT_COUNT)
    return throw_type(env, "stats: Float64Array(4)");
  double *stats = p;
  napi_get_value_int32(env, argv[11], &complete);

  for (int i = 0; i < 9; i++) {
    if (c->bufferRefs[i]) napi_delete_reference(env, c->bufferRefs[i]);
    c->bufferRefs[i] = NULL;
  }
  static const int refArgs[9] = {1, 2, 3, 4, 6, 7, 8, 9, 10};
  for (int i = 0; i < 9; i++) napi_create_reference(env, argv[refArgs[i]], 1, &c->bufferRefs[i]);
  c->rx = rx;
  c->tx = tx;
  c->stats = stats;
  c->completeRxCsum = complete != 0;
  c->attached = 1;
  return NULL;
}

// ---------------------------------------------------------------------------------------------------
// readiness: setReadableHandler(ctx, fn | null). The watcher stops itself after each callback; readBatch
// re-arms it. So JS hears at most one "readable" per receive, as the Link contract asks, and a JS side
// that does not drain the fd does not make libuv spin on a level-triggered epoll.

static void on_readable(uv_poll_t *h, int status, int events);

static void arm_cb(TapCtx *c) {
  if (c->closed || c->polling || c->handler == NULL) return;
  if (uv_poll_start(c->poll, UV_READABLE, on_readable) == 0) c->polling = 1;
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  TapCtx *c = (TapCtx *)h->data;
  if (c == NULL || c->closed) return;
  uv_poll_stop(h);
  c->polling = 0;
  if (c->handler == NULL) return;
  napi_env env = c->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, resource, result;
  napi_get_reference_value(env, c->handler, &fn);
  napi_get_reference_value(env, c->resource, &resource);
  if (fn != NULL && resource != NULL) {
    napi_status s = napi_make_callback(env, c->asyncCtx, resource, fn, 0, NULL, &result);
    if (s == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err); // behaves like an exception thrown from any other libuv callback
    }
  }
  napi_close_handle_scope(env, scope);
}

static napi_value js_set_readable_handler(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_type(env, "setReadableHandler(ctx, fn | null)");
  TapCtx *c = get_ctx(env, argv[0]);
  if (c == NULL) return NULL;
  if (c->closed) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (c->handler) napi_delete_reference(env, c->handler);
  c->handler = NULL;
  if (t != napi_function) {
    if (c->polling) uv_poll_stop(c->poll);
    c->polling = 0;
    return NULL;
  }
  napi_create_reference(env, argv[1], 1, &c->handler);
  if (c->resource == NULL) {
    napi_value resource, name;
    napi_create_object(env, &resource);
    napi_create_string_utf8(env, "mtcp_tap.readable", NAPI_AUTO_LENGTH, &name);
    napi_create_reference(env, resource, 1, &c->resource);
    napi_async_init(env, resource, name, &c->asyncCtx);
  }
  arm_cb(c);
  return NULL;
}

// ---------------------------------------------------------------------------------------------------
// readBatch(ctx) -> count. Drains up to rx.capacity frames (until EAGAIN) into the rx arena. Hot path.

static napi_value js_read_batch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  TapCtx *c = get_ctx(env, argv[0]);
  if (c == NULL) return NULL;
  if (c->closed || !c->attached) return throw_errno(env, "readBatch", EBADF);
  Arena *a = &c->rx;
  int count = 0;
  double bytes = 0;
  struct virtio_net_hdr h;
  struct iovec iov[2];
  while (count < a->capacity) {
    int32_t off = a->offsets[count];
    if (off < 0 || (size_t)off + (size_t)a->slotSize > a->dataLen) break;
    uint8_t *slot = a->data + off;
    ssize_t n;
    if (c->vnet) {
      iov[0].iov_base = &h;
      iov[0].iov_len = VNET_HDR_LEN;
      iov[1].iov_base = slot;
      iov[1].iov_len = (size_t)a->slotSize;
      n = readv(c->fd, iov, 2);
    } else {
      n = read(c->fd, slot, (size_t)a->slotSize);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      if (errno == EFAULT || errno == EINVAL || errno == EMSGSIZE) { // frame did not fit: it is gone
        c->stats[STAT_RX_DROPPED] += 1;
        continue;
      }
      int e = errno;
      if (count > 0) break; // deliver what we have; the error repeats on the next call
      return throw_errno(env, e == EBADFD ? "read TAP (the device was deleted)" : "read TAP", e);
    }
    if (n == 0) break; // no frame (not expected from a TAP; never loop on it)
    int len = (int)n - (c->vnet ? VNET_HDR_LEN : 0);
    if (len < 14 || len > a->slotSize) { // runt, or truncated (larger than the slot)
      c->stats[STAT_RX_DROPPED] += 1;
      continue;
    }
    uint16_t flags = 0, gso = 0;
    if (c->vnet) {
      if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        if (c->completeRxCsum) {
          vnet_complete_partial(slot, len, &h);
          flags = INFO_CSUM_VALID;
        } else {
          flags = INFO_CSUM_PARTIAL;
        }
      } else if (h.flags & VIRTIO_NET_HDR_F_DATA_VALID) {
        flags = INFO_CSUM_VALID;
      }
      if ((h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE) gso = h.gso_size;
    }
    a->lengths[count] = len;
    a->info[2 * count] = flags;
    a->info[2 * count + 1] = gso;
    bytes += len;
    count++;
  }
  c->stats[STAT_RX_BYTES_LAST] = bytes;
  if (c->handler != NULL && !c->polling) arm_cb(c);
  napi_value result;
  napi_create_int32(env, count, &result);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// writeBatch(ctx, count) -> sent. A TAP keeps one frame per write (writev would merge its iovecs into ONE
// frame), so a burst is either one io_uring submission of one write per frame, or a loop of write(2), all
// inside this one call. Hot path.

// io_uring path: one SQE per frame, one io_uring_enter that submits them all and waits for their
// completions (a TAP write completes inside the submission, so the wait does not sleep). Returns sent frames.
static int write_batch_uring(TapCtx *c, int want, double *bytesOut) {
  Uring *r = &c->ring;
  Arena *a = &c->tx;
  unsigned tail = *r->sqTail, queued = 0;
  for (int i = 0; i < want && queued < r->entries; i++) {
    int32_t off = a->offsets[i], len = a->lengths[i];
    if (off < 0 || len <= 0 || (size_t)off + (size_t)len > a->dataLen) {
      c->stats[STAT_TX_DROPPED] += 1;
      continue;
    }
    uint8_t *frame = a->data + off;
    unsigned idx = tail & *r->sqMask;
    struct io_uring_sqe *sqe = &r->sqes[idx];
    memset(sqe, 0, sizeof *sqe);
    sqe->fd = c->fd;
    sqe->off = (uint64_t)-1; // the file position: a TAP is a stream
    sqe->user_data = (uint64_t)i;
    if (c->vnet) {
      struct virtio_net_hdr *h = &c->txHdr[i];
      memset(h, 0, sizeof *h);
      if ((a->info[2 * i] & INFO_CSUM_PARTIAL) && !vnet_fill_tx_hdr(frame, len, a->info[2 * i + 1], h)) {
        c->stats[STAT_TX_DROPPED] += 1;
        continue;
      }
      c->txIov[2 * i].iov_base = h;
      c->txIov[2 * i].iov_len = VNET_HDR_LEN;
      c->txIov[2 * i + 1].iov_base = frame;
      c->txIov[2 * i + 1].iov_len = (size_t)len;
      sqe->opcode = IORING_OP_WRITEV;
      sqe->addr = (uint64_t)(uintptr_t)&c->txIov[2 * i];
      sqe->len = 2;
    } else {
      sqe->opcode = IORING_OP_WRITE;
      sqe->addr = (uint64_t)(uintptr_t)frame;
      sqe->len = (unsigned)len;
    }
    r->sqArray[idx] = idx;
    tail++;
    queued++;
  }
  atomic_store_explicit((_Atomic unsigned *)r->sqTail, tail, memory_order_release);
  unsigned toSubmit = queued, completed = 0;
  int sent = 0;
  double bytes = 0;
  // A bounded wait: should a write ever park in the kernel, give up after 1 s instead of hanging the loop.
  struct __kernel_timespec ts = {1, 0};
  struct io_uring_getevents_arg arg = {0, 0, 0, (uint64_t)(uintptr_t)&ts};
  while (completed < queued) {
    int n = (int)syscall(__NR_io_uring_enter, r->fd, toSubmit, queued - completed,
                         IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
    int failed = n < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY;
    if (n > 0) toSubmit -= (unsigned)n < toSubmit ? (unsigned)n : toSubmit;
    unsigned head = *r->cqHead;
    unsigned cqTail = atomic_load_explicit((_Atomic unsigned *)r->cqTail, memory_order_acquire);
    while (head != cqTail) {
      struct io_uring_cqe *cqe = &r->cqes[head & *r->cqMask];
      if (cqe->res >= 0) {
        sent++;
        bytes += a->lengths[cqe->user_data];
      } else {
        c->stats[STAT_TX_DROPPED] += 1;
      }
      head++;
      completed++;
    }
    atomic_store_explicit((_Atomic unsigned *)r->cqHead, head, memory_order_release);
    if (failed) {
      // ETIME or worse: stop using the ring (later completions of this batch are simply never read).
      c->stats[STAT_TX_DROPPED] += queued - completed;
      uring_free(r);
      break;
    }
  }
  *bytesOut = bytes;
  return sent;
}

static napi_value js_write_batch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  TapCtx *c = get_ctx(env, argv[0]);
  if (c == NULL) return NULL;
  if (c->closed || !c->attached) return throw_errno(env, "writeBatch", EBADF);
  int32_t want = 0;
  napi_get_value_int32(env, argv[1], &want);
  Arena *a = &c->tx;
  if (want > a->capacity) want = a->capacity;
  int sent = 0;
  double bytes = 0;
  if (c->ring.fd >= 0 && want > 1) {
    sent = write_batch_uring(c, want, &bytes);
    c->stats[STAT_TX_BYTES_LAST] = bytes;
    napi_value result;
    napi_create_int32(env, sent, &result);
    return result;
  }
  struct virtio_net_hdr h;
  struct iovec iov[2];
  for (int i = 0; i < want; i++) {
    int32_t off = a->offsets[i], len = a->lengths[i];
    if (off < 0 || len <= 0 || (size_t)off + (size_t)len > a->dataLen) {
      c->stats[STAT_TX_DROPPED] += 1;
      continue;
    }
    uint8_t *frame = a->data + off;
    ssize_t n;
    for (;;) {
      if (c->vnet) {
        memset(&h, 0, sizeof h);
        if ((a->info[2 * i] & INFO_CSUM_PARTIAL) && !vnet_fill_tx_hdr(frame, len, a->info[2 * i + 1], &h)) {
          n = -1;
          errno = EINVAL;
          break;
        }
        iov[0].iov_base = &h;
        iov[0].iov_len = VNET_HDR_LEN;
        iov[1].iov_base = frame;
        iov[1].iov_len = (size_t)len;
        n = writev(c->fd, iov, 2); // header + one frame: still one frame
      } else {
        n = write(c->fd, frame, (size_t)len);
      }
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    if (n < 0) {
      c->stats[STAT_TX_DROPPED] += 1; // EAGAIN (queue full), EIO (link down), EINVAL (bad frame)
      continue;
    }
    sent++;
    bytes += len;
  }
  c->stats[STAT_TX_BYTES_LAST] = bytes;
  napi_value result;
  napi_create_int32(env, sent, &result);
  return result;
}

// ioUring(ctx) -> whether writes still go through io_uring (it is dropped after a failure).
static napi_value js_io_uring(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  TapCtx *c = get_ctx(env, argv[0]);
  if (c == NULL) return NULL;
  napi_value result;
  napi_get_boolean(env, !c->closed && c->ring.fd >= 0, &result);
  return result;
}

// close(ctx): stops the watcher, closes the fd (a non-persistent TAP disappears with its last queue).
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  TapCtx *c = get_ctx(env, argv[0]);
  if (c == NULL) return NULL;
  if (!c->closed) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, c);
    ctx_release(c);
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"attach", NULL, js_attach, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setReadableHandler", NULL, js_set_readable_handler, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readBatch", NULL, js_read_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"writeBatch", NULL, js_write_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ioUring", NULL, js_io_uring, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
