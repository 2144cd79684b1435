// The Node `net` side of `npm run bench`: one process per role, as a user would run a server and a client.
// The parent (bench/run.ts) forks a server and a client with IPC; each answers with JSON messages.
//
//   server <workload> <ports>         -> {type:'ready', ports} once listening (port 0 = any); on {type:'report'} sends its figures.
//   client <workload> <port> <args..> -> runs the workload and sends {type:'result', ...} then exits.
// Workloads: crr (connect, 64 B request, 64 B response, close; `inflight` at once), rr (64 B ping-pong on
// `conns` persistent connections), bulk (one connection, 64 KiB writes), idle (`conns` idle connections,
// memory measured after GC).

import * as net from 'node:net';

const MESSAGE = 64;

type Msg = Record<string, unknown>;

function send(msg: Msg): void {
  process.send!(msg);
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

function memory(): { heap: number; rss: number } {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
}

function runServer(workload: string, ports: number[]): void {
  let bulkBytes = 0;
  let bulkFirst = 0;
  let bulkLast = 0;
  const sockets = new Set<net.Socket>();
  const base = memory();
  const reply = Buffer.alloc(MESSAGE, 0x5a);
  const onConnection = (s: net.Socket): void => {
    s.setNoDelay(true);
    if (workload === 'idle') {
      sockets.add(s);
      s.on('error', () => {});
      return;
    }
    if (workload === 'bulk') {
      s.on('data', (d: Buffer) => {
        if (bulkFirst === 0) bulkFirst = performance.now();
        bulkBytes += d.length;
        bulkLast = performance.now();
      });
      s.on('end', () => s.end());
      s.on('error', () => {});
      return;
    }
    // crr and rr: answer every complete 64-byte request with 64 bytes.
    let pending = 0;
    s.on('data', (d: Buffer) => {
      pending += d.length;
      while (pending >= MESSAGE) {
        pending -= MESSAGE;
        s.write(reply);
      }
    });
    s.on('end', () => s.end());
    s.on('error', () => {});
  };
  let listening = 0;
  const servers: net.Server[] = [];
  for (const port of ports) {
    const srv = net.createServer(onConnection);
    srv.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
      if (++listening === ports.length) send({ type: 'ready', ports: servers.map((x) => (x.address() as net.AddressInfo).port) });
    });
    srv.on('error', (e) => {
      send({ type: 'error', message: String(e) });
      process.exit(1);
    });
    servers.push(srv);
  }
  process.on('message', (m: Msg) => {
    if (m.type === 'report') {
      const now = memory();
      send({
        type: 'report',
        bulkBytes,
        bulkSeconds: (bulkLast - bulkFirst) / 1000,
        connections: sockets.size,
        heapDelta: now.heap - base.heap,
        rssDelta: now.rss - base.rss,
      });
    } else if (m.type === 'exit') {
      for (const s of sockets) s.destroy();
      for (const srv of servers) srv.close();
      process.exit(0);
    }
  });
}

function runCrr(port: number, inflight: number, seconds: number): void {
  const request = Buffer.alloc(MESSAGE, 0x41);
  let completed = 0;
  let errors = 0;
  let stopping = false;
  let active = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const one = (): void => {
    if (performance.now() >= deadline) {
      stopping = true;
      if (active === 0) finish();
      return;
    }
    active++;
    let got = 0;
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => s.write(request));
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= MESSAGE) s.end();
    });
    s.on('error', () => {
      errors++;
    });
    s.on('close', () => {
      active--;
      if (got >= MESSAGE) completed++;
      if (stopping) {
        if (active === 0) finish();
      } else one();
    });
  };
  const finish = (): void => {
    const elapsed = (performance.now() - start) / 1000;
    send({ type: 'result', completed, errors, seconds: elapsed });
    process.exit(0);
  };
  for (let i = 0; i < inflight; i++) one();
}

function runRr(port: number, conns: number, seconds: number): void {
  const request = Buffer.alloc(MESSAGE, 0x41);
  let completed = 0;
  let ready = 0;
  let start = 0;
  let deadline = 0;
  let done = 0;
  const sockets: net.Socket[] = [];
  const finish = (): void => {
    const elapsed = (performance.now() - start) / 1000;
    send({ type: 'result', completed, errors: 0, seconds: elapsed });
    for (const s of sockets) s.destroy();
    process.exit(0);
  };
  for (let i = 0; i < conns; i++) {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => {
      if (++ready === conns) {
        start = performance.now();
        deadline = start + seconds * 1000;
        for (const t of sockets) t.write(request);
      }
    });
    sockets.push(s);
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      while (got >= MESSAGE) {
        got -= MESSAGE;
        completed++;
        if (performance.now() < deadline) s.write(request);
        else if (++done === conns) finish();
      }
    });
    s.on('error', (e) => {
      send({ type: 'error', message: String(e) });
      process.exit(1);
    });
  }
}

function runBulk(port: number, seconds: number): void {
  const chunk = Buffer.alloc(65536, 0x42);
  let sent = 0;
  const s = net.connect({ port, host: '127.0.0.1' }, () => {
    const deadline = performance.now() + seconds * 1000;
    const pump = (): void => {
      while (performance.now() < deadline) {
        sent += chunk.length;
        if (!s.write(chunk)) {
          s.once('drain', pump);
          return;
        }
      }
      s.end();
    };
    pump();
  });
  s.on('data', () => {});
  s.on('close', () => {
    send({ type: 'result', completed: sent, errors: 0, seconds });
    process.exit(0);
  });
  s.on('error', (e) => {
    send({ type: 'error', message: String(e) });
    process.exit(1);
  });
}

function runIdle(ports: number[], conns: number, localAddress: string): void {
  const base = memory();
  const sockets: net.Socket[] = [];
  let opened = 0;
  let started = 0;
  let failed = 0;
  const window = 256;
  const next = (): void => {
    if (started >= conns) return;
    const port = ports[started % ports.length]!;
    started++;
    const s = net.connect(localAddress === '127.0.0.1' ? { port, host: '127.0.0.1' } : { port, host: '127.0.0.1', localAddress }, () => {
      opened++;
      if (opened + failed === conns) report();
      else next();
    });
    s.on('error', () => {
      failed++;
      if (opened + failed === conns) report();
      else next();
    });
    sockets.push(s);
  };
  const report = (): void => {
    // Let the server accept the last connections before measuring.
    setTimeout(() => {
      const now = memory();
      send({ type: 'result', completed: opened, errors: failed, heapDelta: now.heap - base.heap, rssDelta: now.rss - base.rss });
      process.on('message', (m: Msg) => {
        if (m.type === 'exit') {
          for (const s of sockets) s.destroy();
          process.exit(0);
        }
      });
    }, 500);
  };
  for (let i = 0; i < window && i < conns; i++) next();
}

const [role, workload, portText, ...rest] = process.argv.slice(2);
const ports = (portText ?? '').split(',').map(Number);
if (role === 'server') runServer(workload!, ports);
else if (workload === 'crr') runCrr(ports[0]!, Number(rest[0]), Number(rest[1]));
else if (workload === 'rr') runRr(ports[0]!, Number(rest[0]), Number(rest[1]));
else if (workload === 'bulk') runBulk(ports[0]!, Number(rest[0]));
else if (workload === 'idle') runIdle(ports, Number(rest[0]), rest[1] ?? '127.0.0.1');
else {
  console.error(`node-peer: unknown role/workload ${role} ${workload}`);
  process.exit(2);
}
