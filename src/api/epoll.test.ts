import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventToString, EpollInstance, MtcpEpollEvent, mtcp_epoll_events, notifyPollable, detachPollable, type Pollable, type EpollEntry,
} from './epoll.js';
import { Pipe, PIPE_BUFFER_SIZE, PIPE_READ_END, PIPE_WRITE_END } from './pipe.js';
import {
  MTCP_EPOLLERR, MTCP_EPOLLET, MTCP_EPOLLHUP, MTCP_EPOLLIN, MTCP_EPOLLONESHOT, MTCP_EPOLLOUT, MTCP_EPOLLRDHUP,
  MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_DEL, MTCP_EPOLL_CTL_MOD,
} from './constants.js';
import { EAGAIN, EBADF, EEXIST, EINVAL, ENOENT, EPIPE } from './errno.js';

class End implements Pollable {
  epollHead: EpollEntry | null = null;
  constructor(readonly id: number, readonly pipe: Pipe, readonly end: number) {
    if (end === PIPE_READ_END) pipe.readEnd = this;
    else pipe.writeEnd = this;
  }
  pollMask(): number {
    return this.pipe.pollMask(this.end);
  }
}

/** A pollable whose mask the test sets directly. */
class Manual implements Pollable {
  epollHead: EpollEntry | null = null;
  mask = 0;
  constructor(readonly id: number) {}
  pollMask(): number {
    return this.mask;
  }
  set(mask: number): void {
    this.mask = mask;
    notifyPollable(this);
  }
}

function ev(events: number, sockid: number): MtcpEpollEvent {
  return new MtcpEpollEvent(events, sockid);
}

const bytes = (s: string) => new TextEncoder().encode(s);

test('level-triggered: reported on every wait while the condition holds, dropped when it ends', () => {
  const pipe = new Pipe();
  const r = new End(3, pipe, PIPE_READ_END);
  const w = new End(4, pipe, PIPE_WRITE_END);
  const ep = new EpollInstance(1);
  const out = mtcp_epoll_events(8);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_ADD, r, ev(MTCP_EPOLLIN, 3)), 0);
  assert.equal(ep.collect(out, 8), 0);
  assert.equal(pipe.write(PIPE_WRITE_END, bytes('hello'), 0, 5), 5);
  for (let i = 0; i < 3; i++) {
    assert.equal(ep.collect(out, 8), 1);
    assert.equal(out[0].events, MTCP_EPOLLIN);
    assert.equal(out[0].data.sockid, 3);
  }
  const buf = new Uint8Array(16);
  assert.equal(pipe.read(PIPE_READ_END, buf, 0, 16, false), 5);
  assert.equal(ep.collect(out, 8), 0);
  assert.equal(ep.mayHaveEvents, false);
  assert.equal(pipe.read(PIPE_READ_END, buf, 0, 16, false), -EAGAIN);
  void w;
});

test('edge-triggered: one report per notification', () => {
  const s = new Manual(7);
  const ep = new EpollInstance(1);
  const out = mtcp_epoll_events(4);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_ADD, s, ev(MTCP_EPOLLIN | MTCP_EPOLLET, 7)), 0);
  s.set(MTCP_EPOLLIN);
  assert.equal(ep.collect(out, 4), 1);
  assert.equal(out[0].events, MTCP_EPOLLIN);
  assert.equal(ep.collect(out, 4), 0); // still readable, but no new edge
  s.set(MTCP_EPOLLIN); // new data arrived
  assert.equal(ep.collect(out, 4), 1);
  assert.equal(ep.collect(out, 4), 0);
});

test('one-shot: disarmed after one report, even for ERR/HUP, re-armed by MOD', () => {
  const s = new Manual(7);
  const ep = new EpollInstance(1);
  const out = mtcp_epoll_events(4);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_ADD, s, ev(MTCP_EPOLLIN | MTCP_EPOLLONESHOT, 7)), 0);
  s.set(MTCP_EPOLLIN);
  assert.equal(ep.collect(out, 4), 1);
  assert.equal(ep.collect(out, 4), 0);
  s.set(MTCP_EPOLLIN | MTCP_EPOLLHUP);
  assert.equal(ep.collect(out, 4), 0);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_MOD, s, ev(MTCP_EPOLLIN | MTCP_EPOLLONESHOT, 9)), 0);
  assert.equal(ep.collect(out, 4), 1);
  assert.equal(out[0].events, MTCP_EPOLLIN | MTCP_EPOLLHUP);
  assert.equal(out[0].data.sockid, 9);
});

test('ERR and HUP are reported without being asked for; RDHUP only when asked', () => {
  const s = new Manual(2);
  const ep = new EpollInstance(1);
  const out = mtcp_epoll_events(4);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_ADD, s, ev(MTCP_EPOLLOUT, 2)), 0);
  s.set(MTCP_EPOLLERR | MTCP_EPOLLHUP | MTCP_EPOLLRDHUP | MTCP_EPOLLIN);
  assert.equal(ep.collect(out, 4), 1);
  assert.equal(out[0].events, MTCP_EPOLLERR | MTCP_EPOLLHUP);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_MOD, s, ev(MTCP_EPOLLIN | MTCP_EPOLLRDHUP, 2)), 0);
  assert.equal(ep.collect(out, 4), 1);
  assert.equal(out[0].events, MTCP_EPOLLERR | MTCP_EPOLLHUP | MTCP_EPOLLRDHUP | MTCP_EPOLLIN);
});

test('ADD reports an already-pending condition; ctl errors EEXIST, ENOENT, EINVAL', () => {
  const s = new Manual(5);
  s.mask = MTCP_EPOLLOUT;
  const ep = new EpollInstance(1);
  const out = mtcp_epoll_events(4);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_ADD, s, ev(MTCP_EPOLLOUT, 5)), 0);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_ADD, s, ev(MTCP_EPOLLOUT, 5)), -EEXIST);
  assert.equal(ep.collect(out, 4), 1);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_ADD, new Manual(6), null), -EINVAL);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_MOD, new Manual(6), ev(MTCP_EPOLLIN, 6)), -ENOENT);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_DEL, new Manual(6), null), -ENOENT);
  assert.equal(ep.ctl(99, s, ev(MTCP_EPOLLIN, 5)), -EINVAL);
  assert.equal(ep.ctl(MTCP_EPOLL_CTL_DEL, s, null), 0);
  assert.equal(s.epollHead, null);
  assert.equal(ep.collect(out, 4), 0);
  assert.equal(ep.size, 0);
});

test('several instances watch one socket independently; detach removes it from all', () => {
  const s = new Manual(1);
  const a = new EpollInstance(10);
  const b = new EpollInstance(11);
  const out = mtcp_epoll_events(4);
  assert.equal(a.ctl(MTCP_EPOLL_CTL_ADD, s, ev(MTCP_EPOLLIN, 100)), 0);
  assert.equal(b.ctl(MTCP_EPOLL_CTL_ADD, s, ev(MTCP_EPOLLIN | MTCP_EPOLLET, 200)), 0);
  s.set(MTCP_EPOLLIN);
  assert.equal(a.collect(out, 4), 1);
  assert.equal(out[0].data.sockid, 100);
  assert.equal(b.collect(out, 4), 1);
  assert.equal(out[0].data.sockid, 200);
  assert.equal(b.collect(out, 4), 0);
  assert.equal(a.collect(out, 4), 1);
  detachPollable(s);
  assert.equal(a.collect(out, 4), 0);
  assert.equal(a.size, 0);
  assert.equal(b.size, 0);
});

test('maxevents bounds a wait and level-triggered entries rotate so none starves', () => {
  const ep = new EpollInstance(1);
  const socks = [new Manual(0), new Manual(1), new Manual(2)];
  for (const s of socks) {
    assert.equal(ep.ctl(MTCP_EPOLL_CTL_ADD, s, ev(MTCP_EPOLLIN, s.id)), 0);
    s.set(MTCP_EPOLLIN);
  }
  const out = mtcp_epoll_events(2);
  assert.equal(ep.collect(out, 2), 2);
  assert.deepEqual([out[0].data.sockid, out[1].data.sockid], [0, 1]);
  assert.equal(ep.collect(out, 2), 2);
  assert.deepEqual([out[0].data.sockid, out[1].data.sockid], [2, 0]);
});

test('wake-up runs once per batch, from a microtask', async () => {
  const ep = new EpollInstance(1);
  let wakes = 0;
  ep.onWake = () => wakes++;
  const s1 = new Manual(1);
  const s2 = new Manual(2);
  ep.ctl(MTCP_EPOLL_CTL_ADD, s1, ev(MTCP_EPOLLIN, 1));
  ep.ctl(MTCP_EPOLL_CTL_ADD, s2, ev(MTCP_EPOLLIN, 2));
  s1.set(MTCP_EPOLLIN);
  s2.set(MTCP_EPOLLIN);
  assert.equal(wakes, 0);
  await Promise.resolve();
  assert.equal(wakes, 1);
});

test('pipe: EOF, HUP, EPIPE, ERR, full buffer and EBADF on the wrong end', () => {
  const pipe = new Pipe();
  const r = new End(0, pipe, PIPE_READ_END);
  const w = new End(1, pipe, PIPE_WRITE_END);
  const ep = new EpollInstance(2);
  const out = mtcp_epoll_events(4);
  ep.ctl(MTCP_EPOLL_CTL_ADD, r, ev(MTCP_EPOLLIN, 0));
  ep.ctl(MTCP_EPOLL_CTL_ADD, w, ev(MTCP_EPOLLOUT, 1));
  assert.equal(ep.collect(out, 4), 1);
  assert.equal(out[0].data.sockid, 1);
  const big = new Uint8Array(PIPE_BUFFER_SIZE + 100).fill(7);
  assert.equal(pipe.write(PIPE_WRITE_END, big, 0, big.length), PIPE_BUFFER_SIZE);
  assert.equal(pipe.write(PIPE_WRITE_END, big, 0, 1), -EAGAIN);
  assert.equal(pipe.read(PIPE_WRITE_END, big, 0, 1, false), -EBADF);
  assert.equal(pipe.write(PIPE_READ_END, big, 0, 1), -EBADF);
  assert.equal(ep.collect(out, 4), 1); // write end full: only the read end
  assert.equal(out[0].data.sockid, 0);
  const buf = new Uint8Array(PIPE_BUFFER_SIZE);
  assert.equal(pipe.read(PIPE_READ_END, buf, 0, 10, true), 10); // peek
  assert.equal(pipe.readable, PIPE_BUFFER_SIZE);
  assert.equal(pipe.read(PIPE_READ_END, buf, 0, 100, false), 100);
  assert.equal(pipe.readable, PIPE_BUFFER_SIZE - 100);
  // Space was freed: the write end is reported again.
  assert.equal(ep.collect(out, 4), 2);
  pipe.close(PIPE_WRITE_END);
  assert.equal(pipe.read(PIPE_READ_END, buf, 0, PIPE_BUFFER_SIZE, false), PIPE_BUFFER_SIZE - 100);
  assert.equal(pipe.read(PIPE_READ_END, buf, 0, 1, false), 0); // EOF
  assert.equal(r.pollMask(), MTCP_EPOLLIN | MTCP_EPOLLHUP);
  const pipe2 = new Pipe();
  const w2 = new End(5, pipe2, PIPE_WRITE_END);
  pipe2.close(PIPE_READ_END);
  assert.equal(pipe2.write(PIPE_WRITE_END, big, 0, 1), -EPIPE);
  assert.equal(w2.pollMask(), MTCP_EPOLLOUT | MTCP_EPOLLERR);
});

test('EventToString names flags, combined masks and unknown bits', () => {
  assert.equal(EventToString(0), 'MTCP_EPOLLNONE');
  assert.equal(EventToString(MTCP_EPOLLIN), 'MTCP_EPOLLIN');
  assert.equal(EventToString(MTCP_EPOLLRDHUP), 'MTCP_EPOLLRDHUP');
  assert.equal(EventToString(MTCP_EPOLLIN | MTCP_EPOLLOUT | MTCP_EPOLLET), 'MTCP_EPOLLIN|MTCP_EPOLLOUT|MTCP_EPOLLET');
  assert.equal(EventToString(0x20000), '0x20000');
});
