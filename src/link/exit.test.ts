// close() must let the process exit: each case runs in a child process that must end by itself in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const directory = mkdtempSync(join(tmpdir(), 'mtcp-exit-'));
process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
const url = (file: string): string => JSON.stringify(new URL(file, import.meta.url).href);

const preamble = `
  import { MemorySwitch } from ${url('./memory.js')};
  import { UdpLink } from ${url('./udp.js')};
  import { PcapLink } from ${url('./pcap.js')};
  import { ImpairedLink } from ${url('./impair.js')};
  const frame = new Uint8Array(60); frame.fill(0xff, 0, 6); frame[6] = 2; frame[13] = 0xb5; frame[12] = 0x88;
  function send(link) { const at = link.reserve(60); link.tx.data.set(frame, at); link.flush(); }
  const sw = new MemorySwitch();
  const a = new ImpairedLink(new PcapLink(sw.createPort('a'), ${JSON.stringify(join(directory, 'a.pcap'))}), { seed: 1, delayMs: 5000, reorder: 0.5 });
  const b = new ImpairedLink(sw.createPort('b'), { seed: 2, delayMs: 5000, direction: 'rx' });
  const u1 = await UdpLink.open({ name: 'u1', local: { host: '127.0.0.1', port: 0 }, remote: { host: '127.0.0.1', port: 9 } });
  const u2 = await UdpLink.open({ name: 'u2', local: { host: '127.0.0.1', port: 0 }, remote: { host: '127.0.0.1', port: u1.localAddress.port } });
  for (const link of [a, b, u1, u2]) link.setReadableHandler(() => link.receive());
  for (let i = 0; i < 10; i++) { send(a); send(b); send(u2); }
`;

/** Runs `body` after the preamble; resolves with the exit code, or 'running' if still alive after `ms`. */
function runChild(body: string, ms: number): Promise<number | 'running'> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', preamble + body], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('running');
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
}

test('after close() of every link (timers and frames pending), the process exits within 2 s', async () => {
  const result = await runChild(`
    setTimeout(() => { for (const link of [a, b, u1, u2]) link.close(); sw.close(); }, 50);
  `, 2000);
  assert.equal(result, 0);
});

test('control: the same links left open with handlers keep the process alive', async () => {
  assert.equal(await runChild('', 1000), 'running');
});

test('links without a handler and without pending timers do not keep the process alive', async () => {
  const result = await runChild(`
    for (const link of [a, b, u1, u2]) link.setReadableHandler(null);
    a.close(); b.close(); // only these hold delay timers
  `, 2000);
  assert.equal(result, 0);
});
