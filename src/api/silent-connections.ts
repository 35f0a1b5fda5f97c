import type { Socket } from 'node:net';
import type { Server } from 'node:http';

/**
 * The server's connections that have not carried a request, for `closeAll` as the API stops.
 * Node's server.close() ends idle keep-alive connections, but waits on one that never sent a
 * request (a client's spare connection, or any socket opened and left silent) until its client
 * closes it: an HTTP client that had opened several connections at once kept the service's stop
 * waiting 70 s, and a program that connects and sends nothing could hold it for ever. Connections
 * with a request under way are left to finish it.
 */
export function trackSilentConnections(server: Server): { closeAll(): void } {
  const silent = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    silent.add(socket);
    socket.once('close', () => silent.delete(socket));
  });
  server.on('request', (request) => silent.delete(request.socket));
  return {
    closeAll() {
      for (const socket of silent) socket.destroy();
      silent.clear();
    },
  };
}
