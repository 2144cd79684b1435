// The mtcp-ts side of `npm run bench`: one process (forked with --expose-gc by bench/run.ts) holding two hosts on
// the memory link, 10.0.0.2 serving and 10.0.0.1 as the client, both written only against the mtcp_* API.
//   node --expose-gc mtcp-peer.js <crr|rr|bulk|idle> <arg> <seconds> [mtu]
// Answers {type:'result', ...} over IPC (or prints JSON when run by hand) and exits.

import {
  AF_INET, SOCK_STREAM, INADDR_ANY, IPPROTO_TCP, TCP_NODELAY, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLERR,
  MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_DEL, MTCP_EPOLL_CTL_MOD, EAGAIN, EINPROGRESS, SOCKADDR_IN_SIZE,
  MemorySwitchRegistry, MtcpEpollEvent, SockaddrIn, htons, inet_addr, mtcp_accept, mtcp_bind, mtcp_close,
  mtcp_connect, mtcp_create_context, mtcp_destroy_context, mtcp_epoll_create, mtcp_epoll_ctl, mtcp_epoll_events,
  mtcp_epoll_wait, mtcp_errno, mtcp_listen, mtcp_read, mtcp_setsockopt, mtcp_socket, mtcp_write, parseMtcpConfig,
  strerror, type mctx_t,
} from '../src/index.js';

const MESSAGE = 64;

function hostConfig(ip: string, mac: string, mtu: number, buffers: number, maxConcurrency: number) {
  return parseMtcpConfig([
    'io = memory', 'num_cores = 1', `max_concurrency = ${maxConcurrency}`, `max_num_buffers = ${maxConcurrency}`,
    `rcvbuf = ${buffers}`, `sndbuf = ${buffers}`, 'tcp_timeout = -1', 'tcp_timewait = 0', 'port = eth0',
    `eth0.ip = ${ip}/24`, `eth0.mac = ${mac}`, `eth0.mtu = ${mtu}`,
  ].join('\n'), `bench-${ip}.conf`);
}

function check(ctx: mctx_t, r: number, what: string): number {
  if (r < 0) throw new Error(`${what}: ${strerror(mtcp_errno(ctx))}`);
  return r;
}

interface Hosts { server: mctx_t; client: mctx_t; close(): Promise<void> }

async function hosts(mtu: number, buffers: number, maxConcurrency = 4096): Promise<Hosts> {
  const switches = new MemorySwitchRegistry();
  const server = await mtcp_create_context(0, { config: hostConfig('10.0.0.2', '02:00:00:00:00:02', mtu, buffers, maxConcurrency), memorySwitches: switches, stats: false });
  const client = await mtcp_create_context(0, { config: hostConfig('10.0.0.1', '02:00:00:00:00:01', mtu, buffers, maxConcurrency), memorySwitches: switches, stats: false });
  if (server === null || client === null) throw new Error(`mtcp_create_context: ${strerror(mtcp_errno())}`);
  return { server, client, close: () => Promise.all([mtcp_destroy_context(client), mtcp_destroy_context(server)]).then(() => undefined) };
}

function listen(ctx: mctx_t, ep: number, port: number, backlog: number): number {
  const l = check(ctx, mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0), 'mtcp_socket');
  check(ctx, mtcp_bind(ctx, l, new SockaddrIn(AF_INET, htons(port), INADDR_ANY), SOCKADDR_IN_SIZE), 'mtcp_bind');
  check(ctx, mtcp_listen(ctx, l, backlog), 'mtcp_listen');
  check(ctx, mtcp_epoll_ctl(ctx, ep, MTCP_EPOLL_CTL_ADD, l, new MtcpEpollEvent(MTCP_EPOLLIN, l)), 'mtcp_epoll_ctl');
  return l;
}

/**
 * The server side of crr/rr/bulk: answers every complete 64-byte request with 64 bytes (or, for bulk, only
 * counts), closes on EOF. Runs until stop() and reports bulk byte counts and timing.
 */
function startServer(ctx: mctx_t, port: number, bulk: boolean) {
  const ep = check(ctx, mtcp_epoll_create(ctx, 8192), 'mtcp_epoll_create');
  const l = listen(ctx, ep, port, 4096);
  const pending = new Map<number, number>();
  const buf = new Uint8Array(bulk ? 262144 : 4096);
  const reply = new Uint8Array(MESSAGE).fill(0x5a);
  const stats = { bytes: 0, first: 0, last: 0 };
  let running = true;
  const closeConn = (s: number): void => {
    pending.delete(s);
    mtcp_epoll_ctl(ctx, ep, MTCP_EPOLL_CTL_DEL, s, null);
    mtcp_close(ctx, s);
  };
  const loop = async (): Promise<void> => {
    const events = mtcp_epoll_events(8192);
    while (running) {
      const n = await mtcp_epoll_wait(ctx, ep, events, events.length, 50);
      if (n < 0) break;
      for (let i = 0; i < n; i++) {
        const s = events[i]!.data.sockid;
        if (s === l) {
          for (;;) {
            const c = mtcp_accept(ctx, l, null, null);
            if (c < 0) break;
            mtcp_setsockopt(ctx, c, IPPROTO_TCP, TCP_NODELAY, 1, 4);
            pending.set(c, 0);
            mtcp_epoll_ctl(ctx, ep, MTCP_EPOLL_CTL_ADD, c, new MtcpEpollEvent(MTCP_EPOLLIN, c));
          }
          continue;
        }
        if (!pending.has(s)) continue;
        for (;;) {
          const r = mtcp_read(ctx, s, buf, buf.length);
          if (r === 0 || (r < 0 && mtcp_errno(ctx) !== EAGAIN)) {
            closeConn(s);
            break;
          }
          if (r < 0) break;
          if (bulk) {
            const now = performance.now();
            if (stats.first === 0) stats.first = now;
            stats.last = now;
            stats.bytes += r;
            continue;
          }
          let have = pending.get(s)! + r;
          while (have >= MESSAGE) {
            have -= MESSAGE;
            mtcp_write(ctx, s, reply, MESSAGE);
          }
          pending.set(s, have);
        }
      }
    }
    for (const s of [...pending.keys()]) closeConn(s);
    mtcp_close(ctx, l);
    mtcp_close(ctx, ep);
  };
  const done = loop();
  return { stats, stop: async () => { running = false; await done; } };
}

const SERVER = new SockaddrIn(AF_INET, htons(7000), inet_addr('10.0.0.2'));

function connect(ctx: mctx_t, ep: number, addr: SockaddrIn, events: number): number {
  const s = check(ctx, mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0), 'mtcp_socket');
  mtcp_setsockopt(ctx, s, IPPROTO_TCP, TCP_NODELAY, 1, 4);
  if (mtcp_connect(ctx, s, addr, SOCKADDR_IN_SIZE) < 0 && mtcp_errno(ctx) !== EINPROGRESS) check(ctx, -1, 'mtcp_connect');
  check(ctx, mtcp_epoll_ctl(ctx, ep, MTCP_EPOLL_CTL_ADD, s, new MtcpEpollEvent(events, s)), 'mtcp_epoll_ctl');
  return s;
}

/** Short connections: connect, 64 B request, 64 B response, close; `inflight` at a time. */
async function crr(inflight: number, seconds: number): Promise<Record<string, number>> {
  const h = await hosts(1500, 16384);
  const server = startServer(h.server, 7000, false);
  const ctx = h.client;
  const ep = check(ctx, mtcp_epoll_create(ctx, 8192), 'mtcp_epoll_create');
  const request = new Uint8Array(MESSAGE).fill(0x41);
  const buf = new Uint8Array(4096);
  const got = new Map<number, number>();
  const ev = new MtcpEpollEvent();
  let completed = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const open = (): void => {
    got.set(connect(ctx, ep, SERVER, MTCP_EPOLLOUT), -1);
  };
  const done = (s: number): void => {
    got.delete(s);
    mtcp_epoll_ctl(ctx, ep, MTCP_EPOLL_CTL_DEL, s, null);
    mtcp_close(ctx, s);
    if (performance.now() < deadline) open();
  };
  for (let i = 0; i < inflight; i++) open();
  const events = mtcp_epoll_events(8192);
  while (got.size > 0) {
    const n = await mtcp_epoll_wait(ctx, ep, events, events.length, 50);
    if (n < 0) break;
    // Connections still open well after the deadline are abandoned (and counted) so a run stays bounded.
    if (performance.now() > deadline + 2000) {
      errors += got.size;
      for (const s of [...got.keys()]) { got.delete(s); mtcp_close(ctx, s); }
      break;
    }
    for (let i = 0; i < n; i++) {
      const s = events[i]!.data.sockid;
      const have = got.get(s);
      if (have === undefined) continue;
      const mask = events[i]!.events;
      if (mask & MTCP_EPOLLERR) { errors++; done(s); continue; }
      if (have < 0) {
        if (!(mask & MTCP_EPOLLOUT)) continue;
        mtcp_write(ctx, s, request, MESSAGE);
        got.set(s, 0);
        ev.events = MTCP_EPOLLIN;
        ev.data.sockid = s;
        mtcp_epoll_ctl(ctx, ep, MTCP_EPOLL_CTL_MOD, s, ev);
        continue;
      }
      const r = mtcp_read(ctx, s, buf, buf.length);
      if (r > 0 && have + r >= MESSAGE) { completed++; done(s); }
      else if (r > 0) got.set(s, have + r);
      else if (r === 0 || mtcp_errno(ctx) !== EAGAIN) { errors++; done(s); }
    }
  }
  const elapsed = (performance.now() - start) / 1000;
  mtcp_close(ctx, ep);
  await server.stop();
  await h.close();
  return { completed, errors, seconds: elapsed };
}

/** 64 B ping-pong on `conns` persistent connections. */
async function rr(conns: number, seconds: number): Promise<Record<string, number>> {
  const h = await hosts(1500, 16384);
  const server = startServer(h.server, 7000, false);
  const ctx = h.client;
  const ep = check(ctx, mtcp_epoll_create(ctx, 8192), 'mtcp_epoll_create');
  const request = new Uint8Array(MESSAGE).fill(0x41);
  const buf = new Uint8Array(4096);
  const got = new Map<number, number>();
  const ev = new MtcpEpollEvent();
  for (let i = 0; i < conns; i++) got.set(connect(ctx, ep, SERVER, MTCP_EPOLLOUT), -1);
  const events = mtcp_epoll_events(8192);
  // Establish every connection before the clock starts.
  let ready = 0;
  while (ready < conns) {
    const n = await mtcp_epoll_wait(ctx, ep, events, events.length, 50);
    for (let i = 0; i < n; i++) {
      const s = events[i]!.data.sockid;
      if (events[i]!.events & MTCP_EPOLLERR) throw new Error('rr: connect failed');
      if (got.get(s) === -1) {
        got.set(s, 0);
        ready++;
        ev.events = MTCP_EPOLLIN;
        ev.data.sockid = s;
        mtcp_epoll_ctl(ctx, ep, MTCP_EPOLL_CTL_MOD, s, ev);
      }
    }
  }
  let completed = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  for (const s of got.keys()) mtcp_write(ctx, s, request, MESSAGE);
  let active = conns;
  while (active > 0) {
    const n = await mtcp_epoll_wait(ctx, ep, events, events.length, 50);
    if (n < 0) break;
    const now = performance.now();
    if (now > deadline + 2000) break;
    for (let i = 0; i < n; i++) {
      const s = events[i]!.data.sockid;
      let have = got.get(s);
      if (have === undefined) continue;
      const r = mtcp_read(ctx, s, buf, buf.length);
      if (r <= 0) continue;
      have += r;
      while (have >= MESSAGE) {
        have -= MESSAGE;
        completed++;
        if (now < deadline) mtcp_write(ctx, s, request, MESSAGE);
        else active--;
      }
      got.set(s, have);
    }
  }
  const elapsed = (performance.now() - start) / 1000;
  for (const s of got.keys()) mtcp_close(ctx, s);
  mtcp_close(ctx, ep);
  await server.stop();
  await h.close();
  return { completed, errors: 0, seconds: elapsed };
}

/** One connection, 64 KiB writes for `seconds`; Gbit/s measured at the receiver. */
async function bulk(mtu: number, seconds: number): Promise<Record<string, number>> {
  const h = await hosts(mtu, 1 << 20);
  const server = startServer(h.server, 7000, true);
  const ctx = h.client;
  const ep = check(ctx, mtcp_epoll_create(ctx, 16), 'mtcp_epoll_create');
  const s = connect(ctx, ep, SERVER, MTCP_EPOLLOUT);
  const chunk = new Uint8Array(65536).fill(0x42);
  const events = mtcp_epoll_events(16);
  let deadline = 0;
  let sent = 0;
  for (;;) {
    const n = await mtcp_epoll_wait(ctx, ep, events, events.length, 50);
    if (n < 0) break;
    if (n > 0 && events[0]!.events & MTCP_EPOLLERR) throw new Error('bulk: connection failed');
    if (n > 0 && deadline === 0) deadline = performance.now() + seconds * 1000;
    if (deadline > 0 && performance.now() >= deadline) break;
    for (;;) {
      const w = mtcp_write(ctx, s, chunk, chunk.length);
      if (w <= 0) break;
      sent += w;
    }
  }
  mtcp_close(ctx, s);
  // Let the receiver drain what is in flight before reading its figures.
  const until = performance.now() + 2000;
  while (server.stats.bytes < sent && performance.now() < until) await new Promise((r) => setImmediate(r));
  mtcp_close(ctx, ep);
  await server.stop();
  await h.close();
  const elapsed = (server.stats.last - server.stats.first) / 1000;
  return { bytes: server.stats.bytes, seconds: elapsed, gbits: (server.stats.bytes * 8) / elapsed / 1e9 };
}

function gcMemory(): { heap: number; rss: number } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) { g(); g(); }
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
}

/** `conns` idle established connections (both ends in this process): memory per connection. */
async function idle(conns: number): Promise<Record<string, number>> {
  const h = await hosts(1500, 8192, conns + 1000);
  const base = gcMemory();
  // One listener per 60,000 connections: a (client address, server address, server port) triple has 64,511
  // ephemeral ports.
  const sep = check(h.server, mtcp_epoll_create(h.server, 16), 'mtcp_epoll_create');
  const ports: number[] = [];
  for (let p = 0; p * 60000 < conns; p++) {
    listen(h.server, sep, 7000 + p, 65535);
    ports.push(7000 + p);
  }
  const listeners: number[] = [];
  for (let p = 0; p < ports.length; p++) listeners.push(p + 1); // ids after the epoll socket, checked below
  const cep = check(h.client, mtcp_epoll_create(h.client, 16), 'mtcp_epoll_create');
  const addrs = ports.map((p) => new SockaddrIn(AF_INET, htons(p), inet_addr('10.0.0.2')));
  const clients: number[] = [];
  let accepted = 0;
  let opened = 0;
  const events = mtcp_epoll_events(1024);
  const started = performance.now();
  while (accepted < conns) {
    // Keep up to 2,000 handshakes in flight.
    while (opened < conns && opened - accepted < 2000) {
      const s = check(h.client, mtcp_socket(h.client, AF_INET, SOCK_STREAM, 0), 'mtcp_socket');
      if (mtcp_connect(h.client, s, addrs[opened % addrs.length]!, SOCKADDR_IN_SIZE) < 0 && mtcp_errno(h.client) !== EINPROGRESS) check(h.client, -1, 'mtcp_connect');
      clients.push(s);
      opened++;
    }
    const n = await mtcp_epoll_wait(h.server, sep, events, events.length, 10);
    for (let i = 0; i < n; i++) {
      const l = events[i]!.data.sockid;
      for (;;) {
        const a = mtcp_accept(h.server, l, null, null);
        if (a < 0) break;
        accepted++;
      }
    }
    if (performance.now() - started > 120000) throw new Error(`idle: only ${accepted} of ${conns} connections after 120 s`);
  }
  // Let the last ACKs of the handshakes settle.
  await mtcp_epoll_wait(h.client, cep, events, events.length, 200);
  const now = gcMemory();
  const result = { connections: accepted, heapDelta: now.heap - base.heap, rssDelta: now.rss - base.rss, setupSeconds: (performance.now() - started) / 1000 };
  await h.close();
  return result;
}

async function main(): Promise<void> {
  const [workload, arg, secondsText, mtuText] = process.argv.slice(2);
  const seconds = Number(secondsText ?? '2');
  let result: Record<string, number>;
  if (workload === 'crr') result = await crr(Number(arg), seconds);
  else if (workload === 'rr') result = await rr(Number(arg), seconds);
  else if (workload === 'bulk') result = await bulk(Number(mtuText ?? arg), seconds);
  else if (workload === 'idle') result = await idle(Number(arg));
  else throw new Error(`mtcp-peer: unknown workload ${workload}`);
  if (process.send) process.send({ type: 'result', ...result }, () => process.exit(0));
  else {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
}

main().catch((e: unknown) => {
  const message = (e as Error).message ?? String(e);
  if (process.send) process.send({ type: 'error', message }, () => process.exit(1));
  else {
    process.stderr.write(`mtcp-peer: ${message}\n`);
    process.exit(1);
  }
});
