import type { CpuId, ThreadId } from '../brand.ts';
import type { Actor, ThreadKind } from '../sim/simulator.ts';
import type { RunOn } from './env.ts';
import type { UdpSock, UdpStack } from './udp.ts';

/**
 * A socket's reading thread as it may run on one CPU. A socket has one such actor per CPU it may
 * run on; the schedule picking one of them is the scheduler moving the thread there for this
 * recvmsg, which is what RFS follows (sock_rps_record_flow).
 */
export class SocketReader implements Actor {
  readonly id: ThreadId;
  readonly name: string;
  readonly kind: ThreadKind = 'user';
  readonly cpu: CpuId;
  readonly #sock: UdpSock;
  readonly #udp: UdpStack;
  /** This thread, as recvmsg is told where it runs (one for the run: it is only read). */
  readonly #on: RunOn;

  constructor(id: ThreadId, cpu: CpuId, sock: UdpSock, udp: UdpStack) {
    this.id = id;
    this.cpu = cpu;
    this.name = `reader sock${sock.spec.index} on cpu ${cpu}`;
    this.#sock = sock;
    this.#udp = udp;
    this.#on = { cpu, thread: id };
  }

  runnable(): boolean {
    return this.#udp.readable(this.#sock);
  }

  step(): void {
    this.#udp.recvmsg(this.#sock, this.#on);
  }
}
