import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, jobBody, putObject, startTestService, type TestService } from '../support/harness.js';

/**
 * What keeping jobs as files needs of the API: validating without storing, every problem with its
 * place in the body, replacing a definition (versions kept, schedule recomputed), and a run's
 * result files through short-lived links of the API's own.
 */
let service: TestService;
let bucket: string;

beforeAll(async () => {
  // Small pages, so that paging through versions takes a few definitions.
  service = await startTestService({ env: { TDS_VERSIONS_PAGE_SIZE: '2', TDS_VERSIONS_PAGE_MAX: '3' } });
  bucket = await createBucket();
  await putObject(bucket, 'wf-in/data.txt', 'abc');
});

afterAll(async () => {
  await service?.close();
});

describe('POST /jobs?dry_run=true', () => {
  it('answers the job as it would be stored and stores nothing', async () => {
    const body = jobBody(bucket, { destination_s3_prefix: 'out' });
    const { status, body: answer } = await service.request('POST', '/jobs?dry_run=true', body);
    expect(status).toBe(200);
    expect(answer.valid).toBe(true);
    expect(answer.spec.destination_s3_prefix).toBe('out/');
    const [row] = await service.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM jobs WHERE unique_id = $1',
      [body.uniqueId],
    );
    expect(row!.n).toBe(0);
  });

  it('lists every problem, schema and semantics alike, each with a JSON Pointer into the body', async () => {
    const schemaErrors = await service.request(
      'POST',
      '/jobs?dry_run=true',
      jobBody(bucket, { cpus: 'two', colour: 'red', command: undefined }),
    );
    expect(schemaErrors.status).toBe(400);
    const paths = schemaErrors.body.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/cpus', '/colour', '/command']));

    const semantic = await service.request(
      'POST',
      '/jobs?dry_run=true',
      jobBody(bucket, { cron: '61 * * * *', command: '  ', env: { TDS_X: '1' } }),
    );
    expect(semantic.status).toBe(400);
    expect(semantic.body.problems).toEqual(
      expect.arrayContaining([
        { path: '/cron', message: expect.stringContaining('61 * * * *') },
        { path: '/command', message: 'command must not be blank' },
        { path: '/env/TDS_X', message: expect.stringContaining('reserved') },
      ]),
    );
  });
});

describe('PUT /jobs/:id', () => {
  it('stores a changed definition as a new version, keeps the earlier, and recomputes the next fire times', async () => {
    const body = jobBody(bucket, { cron: '0 3 * * *', timezone: 'UTC' });
    const created = await service.request('POST', '/jobs', body);
    expect(created.status).toBe(202);
    const id = created.body.job.id as string;
    expect(created.body.job.version).toBe(1);

    const same = await service.request('PUT', `/jobs/${id}`, body);
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ changed: false, version: 1 });

    const changed = await service.request('PUT', `/jobs/${id}`, {
      ...body,
      cron: '30 5 * * *',
      command: 'echo two',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ changed: true, version: 2 });
    expect(changed.body.job.spec.command).toBe('echo two');
    const next = changed.body.job.schedule.nextFireTimes as string[];
    expect(next.length).toBeGreaterThan(0);
    for (const time of next) expect(time).toMatch(/T05:30:00/);

    const versions = await service.request('GET', `/jobs/${id}/versions`);
    expect(versions.status).toBe(200);
    expect(
      versions.body.versions.map((v: { version: number; current: boolean }) => [v.version, v.current]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(versions.body.versions[1].spec.command).toBe('echo hello');
    expect(versions.body.versions[1].replacedAt).toEqual(expect.any(String));

    const again = await service.request('PUT', `/jobs/${id}`, {
      ...body,
      cron: '30 5 * * *',
      command: 'echo two',
    });
    expect(again.body).toMatchObject({ changed: false, version: 2 });
  });

  it('refuses a body that renames the job, saying which field must stay', async () => {
    const body = jobBody(bucket, { cron: '0 3 * * *' });
    const created = await service.request('POST', '/jobs', body);
    const answer = await service.request('PUT', `/jobs/${created.body.job.id}`, {
      ...body,
      uniqueId: 'other',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual([
      { path: '/uniqueId', message: `uniqueId must stay "${String(body.uniqueId)}": it names the job` },
    ]);
  });
});

describe('GET /jobs/:id/versions and GET /workflows/:id/versions', () => {
  /** Every page of a versions listing: each page's [version, current] pairs. */
  async function pages(url: string, limit?: number): Promise<[number, boolean][][]> {
    const seen: [number, boolean][][] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams();
      if (limit !== undefined) query.set('limit', String(limit));
      if (cursor) query.set('cursor', cursor);
      const page = await service.request('GET', `${url}?${query}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      seen.push(page.body.versions.map((v: { version: number; current: boolean }) => [v.version, v.current]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    return seen;
  }

  it('come a page at a time, newest first, within the configured sizes', async () => {
    const body = jobBody(bucket, { cron: '0 4 * * *', command: 'echo 1' });
    const created = await service.request('POST', '/jobs', body);
    const id = created.body.job.id as string;
    for (let i = 2; i <= 5; i++) {
      expect((await service.request('PUT', `/jobs/${id}`, { ...body, command: `echo ${i}` })).status).toBe(
        200,
      );
    }
    expect(await pages(`/jobs/${id}/versions`)).toEqual([
      [
        [5, true],
        [4, false],
      ],
      [
        [3, false],
        [2, false],
      ],
      [[1, false]],
    ]);
    expect((await pages(`/jobs/${id}/versions`, 3)).map((page) => page.length)).toEqual([3, 2]);

    const tooMany = await service.request('GET', `/jobs/${id}/versions?limit=4`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/limit/);
    const forged = await service.request('GET', `/jobs/${id}/versions?cursor=bm90LWEtY3Vyc29y`);
    expect(forged.status).toBe(400);
    expect(forged.body.message).toMatch(/cursor is not one this service returned/);
    // A cursor past the last version: an empty page; an unknown job: 404 whatever the cursor.
    const past = Buffer.from(JSON.stringify({ before: 1 })).toString('base64url');
    expect((await service.request('GET', `/jobs/${id}/versions?cursor=${past}`)).body).toEqual({
      nextCursor: null,
      versions: [],
    });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await service.request('GET', `/jobs/${unknown}/versions?cursor=${past}`)).status).toBe(404);
    expect((await service.request('GET', `/jobs/${unknown}/versions`)).status).toBe(404);

    const workflow = {
      userId: 'test-user',
      uniqueId: `wf-${id}`,
      s3_bucket: bucket,
      source_s3_prefix: 'wf-in/',
      destination_s3_prefix: '/wf/',
      cron: '0 4 * * *',
      steps: [{ name: 'only', command: 'echo 1' }],
    };
    const posted = await service.request('POST', '/workflows', workflow);
    expect(posted.status, JSON.stringify(posted.body)).toBeLessThan(300);
    const workflowId = posted.body.workflow.id as string;
    for (let i = 2; i <= 3; i++) {
      const put = await service.request('PUT', `/workflows/${workflowId}`, {
        ...workflow,
        steps: [{ name: 'only', command: `echo ${i}` }],
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    expect(await pages(`/workflows/${workflowId}/versions`)).toEqual([
      [
        [3, true],
        [2, false],
      ],
      [[1, false]],
    ]);
    expect((await service.request('GET', `/workflows/${workflowId}/versions?limit=4`)).status).toBe(400);
  });
});

describe('GET /runs/:id/files', () => {
  it("lists a run's result files with links that download them without a key, and refuses a tampered link", async () => {
    await putObject(bucket, 'in/data.txt', 'abc');
    const created = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { source_s3_prefix: 'in/', command: 'echo result > /job/output/answer.txt' }),
    );
    expect(created.status).toBe(202);
    const run = await service.waitForRun(created.body.run.id);
    expect(run.state).toBe('succeeded');
    const { status, body } = await service.request('GET', `/runs/${run.id}/files`);
    expect(status).toBe(200);
    const paths = body.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['stdout.log', 'run.json', 'output/answer.txt']));
    const answer = body.files.find((f: { path: string }) => f.path === 'output/answer.txt');
    const download = await fetch(answer.url);
    expect(download.status, await download.clone().text()).toBe(200);
    expect(await download.text()).toBe('result\n');

    const tampered = await fetch(answer.url.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A')));
    expect(tampered.status).toBe(403);
    expect(((await tampered.json()) as { message: string }).message).toContain('not one the service made');
  });
});
