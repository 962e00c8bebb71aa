import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RECEIVER = fileURLToPath(new URL('./agents/receiver.mjs', import.meta.url));

/** A free UDP port on the loopback, as the kernel picks one. */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((ok) => s.bind(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise<void>((ok) => s.close(ok));
  return port;
}

const datagram = (flow: number, seq: number) => {
  const buf = Buffer.alloc(8);
  buf.writeUInt32BE(flow, 0);
  buf.writeUInt32BE(seq, 4);
  return buf;
};

describe('the live receiver agent, on the loopback', () => {
  it('reads what a late sender sends: its bound counts from the sender being done, not from its own start', async () => {
    const port = await freePort();
    // rcvbuf 0 (the default), no read delay, idle 200 ms, bound 300 ms, unconnected.
    const child = spawn(process.execPath, [
      RECEIVER,
      '127.0.0.1',
      String(port),
      '0',
      '0',
      '200',
      '300',
      '0',
      '127.0.0.1',
      '0',
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stdin.on('error', () => {});
    const exited = new Promise<number | null>((ok) => child.on('exit', ok));
    while (!out.includes('ready\n')) await new Promise((ok) => setTimeout(ok, 10));
    // A sender starting later than the bound, as on a busy machine.
    await new Promise((ok) => setTimeout(ok, 500));
    const tx = createSocket('udp4');
    for (let seq = 0; seq < 3; seq++) {
      await new Promise<void>((ok) => tx.send(datagram(1, seq), port, '127.0.0.1', () => ok()));
    }
    tx.close();
    child.stdin.write('done\n');
    expect(await exited).toBe(0);
    const { read } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { read: number[][] };
    expect(read).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
  });
});
