import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * Searching a run's whole stored log: the matching lines with their numbers (the numbers the log
 * stream counts), cut at TDS_LOG_SEARCH_MAX_MATCHES and saying so, the pattern's length bounded,
 * a running run answered with what to do, another user's run refused as its log is, and the full
 * log downloaded as a file.
 */
let service: TestService;
let bucket: string;
const keys: Record<string, string> = {};
const auth = (user: string) => ({ authorization: `Bearer ${keys[user]}` });
let runId: string;

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_AUTH: 'on', TDS_LOG_SEARCH_MAX_MATCHES: '4', TDS_LOG_SEARCH_MAX_PATTERN_CHARS: '40' },
  });
  bucket = await createBucket();
  keys.operator = (await createApiKey(service.db, { operator: true }, 'ops')).key;
  for (const user of ['alice', 'bob']) {
    keys[user] = (await createApiKey(service.db, { userId: user }, '')).key;
    await service.request('PUT', `/admin/users/${user}`, { allowedBuckets: [bucket] }, auth('operator'));
  }
  // 6,000 lines of stdout, every 1,000th an error; two lines of stderr.
  const command =
    'for i in $(seq 1 6000); do if [ $((i % 1000)) -eq 0 ]; then echo "ERROR at $i"; else echo "line $i ok"; fi; done; ' +
    'echo "first on stderr" >&2; echo "an Error on stderr" >&2';
  const posted = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { userId: 'alice', command }),
    auth('alice'),
  );
  expect(posted.status, JSON.stringify(posted.body)).toBe(202);
  runId = posted.body.run.id;
  expect((await waitForRun(runId)).state).toBe('succeeded');
});

/** Polls the run with `user`'s key until `until` holds for its state. */
async function waitForRun(id: string, until: (state: string) => boolean = (state) => ENDED.includes(state)) {
  for (let i = 0; i < 600; i++) {
    const { body } = await service.request('GET', `/runs/${id}`, undefined, auth('alice'));
    if (until(body.state)) return body;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} did not get there`);
}
const ENDED = ['succeeded', 'failed', 'cancelled', 'timed_out'];

afterAll(async () => {
  await service?.close();
});

const search = (query: string, user = 'alice', id = runId) =>
  service.request('GET', `/runs/${id}/log-search?${query}`, undefined, auth(user));

describe('GET /runs/:id/log-search', () => {
  it('finds the matching lines of the whole stored log with the numbers the log stream gives them', async () => {
    const one = await search('q=ERROR%20at%205000');
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body).toEqual({
      runId,
      state: 'succeeded',
      q: 'ERROR at 5000',
      ignoreCase: false,
      stored: true,
      matches: [{ stream: 'stdout', line: 5000, column: 1, text: 'ERROR at 5000', cut: false }],
      truncated: false,
    });
    // Line 5999 of 6,000: far past the 5,000 lines the page keeps.
    const late = await search('q=line%205999%20');
    expect(late.body.matches).toEqual([
      { stream: 'stdout', line: 5999, column: 1, text: 'line 5999 ok', cut: false },
    ]);
    const onStderr = await search('q=on%20stderr');
    expect(onStderr.body.matches.map((m: { stream: string; line: number }) => [m.stream, m.line])).toEqual([
      ['stderr', 1],
      ['stderr', 2],
    ]);
    // The log stream from the line before a match starts at the match.
    const stream = await fetch(`${service.apiUrl}/runs/${runId}/log-stream?after=o4999e0`, {
      headers: auth('alice'),
    });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value;
    await reader.cancel();
    expect(text).toContain('data: ERROR at 5000\n');
  });

  it('matches case exactly unless asked not to', async () => {
    const exact = await search('q=error');
    expect(exact.body.matches).toEqual([]);
    expect(exact.body.truncated).toBe(false);
    const some = await search('q=on%20STDERR&ignoreCase=true');
    expect(some.body.matches.map((m: { line: number }) => m.line)).toEqual([1, 2]);
  });

  it('answers at most TDS_LOG_SEARCH_MAX_MATCHES lines and says the list was cut', async () => {
    // Six stdout lines and one stderr line match; the limit is 4.
    const cut = await search('q=error&ignoreCase=true');
    expect(cut.status).toBe(200);
    expect(cut.body.truncated).toBe(true);
    expect(cut.body.matches.map((m: { line: number }) => m.line)).toEqual([1000, 2000, 3000, 4000]);
    const all = await search('q=ERROR%20at%20');
    expect(all.body.truncated).toBe(true);
    const few = await search('q=ERROR%20at%205');
    expect(few.body).toMatchObject({ truncated: false, matches: [{ line: 5000 }] });
  });

  it('refuses a text longer than TDS_LOG_SEARCH_MAX_PATTERN_CHARS, or none, with what to do', async () => {
    const long = await search(`q=${'x'.repeat(41)}`);
    expect(long.status).toBe(400);
    expect(long.body.message).toContain('TDS_LOG_SEARCH_MAX_PATTERN_CHARS');
    expect(long.body.message).toContain('41 characters');
    expect((await search(`q=${'x'.repeat(40)}`)).status).toBe(200);
    const none = await search('q=');
    expect(none.status).toBe(400);
    expect((await search('')).status).toBe(400);
  });

  it("refuses another user's run exactly as its log is refused", async () => {
    const theirs = await search('q=ERROR', 'bob');
    const log = await service.request('GET', `/runs/${runId}/logs`, undefined, auth('bob'));
    const unknown = await search('q=ERROR', 'bob', '01900000-0000-7000-8000-000000000000');
    expect(theirs.status).toBe(404);
    expect(log.status).toBe(404);
    expect(theirs.body.error).toBe(log.body.error);
    expect(theirs.body.error).toBe(unknown.body.error);
    expect(theirs.body.message).not.toContain('alice');
    // An operator reads every user's.
    expect((await search('q=ERROR', 'operator')).status).toBe(200);
  });

  it('says a run that has not ended has no stored log to search yet', async () => {
    const posted = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'alice', command: 'echo started; sleep 120' }),
      auth('alice'),
    );
    const id = posted.body.run.id as string;
    await waitForRun(id, (state) => state === 'running');
    const running = await search('q=started', 'alice', id);
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({ stored: false, matches: [], truncated: false });
    expect(running.body.message).toContain(`GET /runs/${id}/log-stream`);
    expect((await service.request('POST', `/runs/${id}/cancel`, undefined, auth('alice'))).status).toBe(202);
    await waitForRun(id);
    const ended = await search('q=started', 'alice', id);
    expect(ended.body.matches).toEqual([
      { stream: 'stdout', line: 1, column: 1, text: 'started', cut: false },
    ]);
  });

  it('downloads the full log as a file', async () => {
    const { body } = await service.request('GET', `/runs/${runId}/files`, undefined, auth('alice'));
    const stdout = body.files.find((f: { path: string }) => f.path === 'stdout.log');
    const response = await fetch(stdout.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="stdout.log"');
    const lines = (await response.text()).split('\n');
    expect(lines.length).toBe(6001);
    expect(lines[4999]).toBe('ERROR at 5000');
  });
});
