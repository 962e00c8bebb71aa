import { describe, expect, it } from 'vitest';
import { cpuId, threadId } from '../brand.ts';
import { SocketReader } from './reader.ts';
import type { UdpSock, UdpStack } from './udp.ts';

describe('SocketReader: a socket reading thread on one CPU', () => {
  it('is a user thread named after its socket and CPU; runs recvmsg there while the socket is readable', () => {
    const calls: unknown[] = [];
    const sock = { spec: { index: 3 } } as unknown as UdpSock;
    const udp = {
      readable: (s: UdpSock) => s === sock,
      recvmsg: (s: UdpSock, on: unknown) => calls.push([s, on]),
    } as unknown as UdpStack;
    const r = new SocketReader(threadId(7), cpuId(2), sock, udp);
    expect([r.kind, r.name, r.cpu, r.id]).toEqual(['user', 'reader sock3 on cpu 2', 2, 7]);
    expect(r.runnable()).toBe(true);
    r.step();
    expect(calls).toEqual([[sock, { cpu: 2, thread: 7 }]]);
  });
});
