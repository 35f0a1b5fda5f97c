import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestService } from '../support/harness.js';

/**
 * The API's stop does not wait on its clients: a connection that never sent a request (a client's
 * spare connection, or a program that connects and says nothing) is closed by the stop, as an idle
 * keep-alive connection is, so a service asked to stop stops.
 */
describe('the API as it stops', () => {
  it('closes connections that never carried a request, and ones idle after theirs', async () => {
    const service = await startTestService({ roles: ['api'] });
    const port = Number(new URL(service.apiUrl!).port);
    const connect = async () => {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      return { socket, closed };
    };
    const silent = await connect();
    const used = await connect();
    used.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise<void>((resolve) => used.socket.once('data', () => resolve()));
    expect((await service.request('GET', '/healthz')).status).toBe(200);

    // Neither client closes its socket: the stop must, or it would wait for them for ever.
    const stopping = service.close();
    const cutOff = new Promise<'still waiting'>((resolve) =>
      setTimeout(() => resolve('still waiting'), 30_000).unref(),
    );
    expect(await Promise.race([stopping.then(() => 'stopped' as const), cutOff])).toBe('stopped');
    await Promise.all([silent.closed, used.closed]);
    expect(silent.socket.destroyed && used.socket.destroyed).toBe(true);
  });
});
