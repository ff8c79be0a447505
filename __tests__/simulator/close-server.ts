/** Shared shutdown for the test servers: close the listener and destroy every open socket. */
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Resolves once the server and all `sockets` have closed, so that hanging requests end and
 * 'close' listeners on responses (inFlight bookkeeping) have run.
 */
export async function closeServer(server: Server, sockets: Set<Duplex>): Promise<void> {
  const closed: Promise<void>[] = [new Promise((resolve) => server.close(() => resolve()))];
  for (const socket of sockets) {
    if (!socket.closed) {
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    }
    socket.destroy();
  }
  sockets.clear();
  await Promise.all(closed);
  await new Promise((resolve) => setImmediate(resolve));
}
