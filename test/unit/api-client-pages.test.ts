import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from '../../cli/api-client.js';

// The paging of tds's client, against a listener that pages as GET /jobs documents it (limit,
// cursor in; items and nextCursor out). The service's own paging is tested end to end elsewhere.
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function listen(answer: (url: URL) => { status: number; body: unknown }): Promise<string> {
  server = createServer((request, response) => {
    const { status, body } = answer(new URL(request.url!, 'http://localhost'));
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe("tds's typed listing reads (all)", () => {
  it('reads every page, passing each nextCursor back, 200 items a page, the filters on every page', async () => {
    const asked: URLSearchParams[] = [];
    const pages: Record<string, { jobs: { id: string }[]; nextCursor: string | null }> = {
      '': { jobs: [{ id: 'a' }, { id: 'b' }], nextCursor: 'c1' },
      c1: { jobs: [{ id: 'c' }], nextCursor: 'c 2/+' },
      'c 2/+': { jobs: [{ id: 'd' }], nextCursor: null },
    };
    const url = await listen((u) => {
      asked.push(u.searchParams);
      return { status: 200, body: pages[u.searchParams.get('cursor') ?? ''] };
    });
    const api = createApiClient({ url });
    const jobs = await api.all('/jobs', 'jobs', { query: { userId: 'alice' } });
    expect(jobs.map((j) => j.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(asked.map((q) => [q.get('userId'), q.get('limit'), q.get('cursor')])).toEqual([
      ['alice', '200', null],
      ['alice', '200', 'c1'],
      ['alice', '200', 'c 2/+'],
    ]);
  });

  it("gives the service's refusal as an ApiError with its code and message", async () => {
    const url = await listen(() => ({
      status: 403,
      body: { error: 'forbidden', message: 'this key may only read its own user' },
    }));
    const refused = await createApiClient({ url })
      .all('/workflows', 'workflows', { query: { userId: 'bob' } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'this key may only read its own user',
    });
  });
});
