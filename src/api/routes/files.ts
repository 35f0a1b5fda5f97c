import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { ObjectStore } from '../../../services/aws/object-store.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import type { JobService } from '../../jobs/job-service.js';
import type { DownloadLinks } from '../../runs/download-links.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams } from '../schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

/** At most this many files are listed: a run's results are its logs, run.json, metrics and outputs. */
const MAX_FILES = 10_000;

/**
 * A run's result files with short-lived download links, and the links themselves: clients read
 * results through the API, never with store credentials of their own.
 */
export const fileRoutes: FastifyPluginAsyncTypebox<{
  jobs: JobService;
  store: ObjectStore;
  links: DownloadLinks;
}> = async (app, { jobs, store, links }) => {
  app.get(
    '/runs/:id/files',
    {
      config: { access: ownerOf('run') },
      schema: {
        summary: "A run's result files, each with a short-lived download link",
        description:
          "Every file under the run's results folder (logs, run.json, metrics, outputs/...), path relative to it. Each url is a link to this API (GET /files?token=), signed and valid for TDS_DOWNLOAD_LINK_SECONDS: it needs no key, so hand it only to whoever may read the file. Empty until the run has uploaded its results.",
        tags: ['runs'],
        params: IdParams,
        response: {
          200: Type.Object({
            runId: Type.String(),
            state: Type.String(),
            expiresInSeconds: Type.Integer(),
            files: Type.Array(Type.Object({ path: Type.String(), size: Type.Integer(), url: Type.String() })),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { run } = await jobs.getRun(request.params.id);
      const origin = `${request.protocol}://${request.host}`;
      const files: { path: string; size: number; url: string }[] = [];
      for await (const object of store.listObjects(run.resultsBucket, run.resultsPrefix)) {
        if (files.length >= MAX_FILES) break;
        files.push({
          path: object.key.slice(run.resultsPrefix.length),
          size: object.size,
          url: `${origin}/files?token=${links.token(run.resultsBucket, object.key)}`,
        });
      }
      files.sort((a, b) => a.path.localeCompare(b.path));
      return { runId: run.id, state: run.state, expiresInSeconds: links.lifetimeSeconds, files };
    },
  );

  app.get(
    '/files',
    {
      // A signed, short-lived link: its signature, not a key, is the permission.
      config: { access: 'public' },
      schema: {
        summary: 'Download one result file through a link from GET /runs/:id/files',
        tags: ['runs'],
        querystring: Type.Object(
          { token: Type.String({ maxLength: 4096, description: 'from a url of GET /runs/:id/files' }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Any({ description: 'the file, as stored' }), ...errors },
      },
    },
    async (request, reply) => {
      const target = links.verify(request.query.token);
      if (target === 'expired')
        throw new ForbiddenError('this download link has expired; ask GET /runs/:id/files for a new one');
      if (target === 'invalid')
        throw new ForbiddenError(
          'this download link is not one the service made; ask GET /runs/:id/files for one',
        );
      let body;
      try {
        body = await store.getObjectStream(target.bucket, target.key);
      } catch {
        throw new NotFoundError('file', target.key.split('/').pop() ?? target.key);
      }
      const name = (target.key.split('/').pop() ?? 'file').replace(/[^A-Za-z0-9._-]/g, '_');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'private, no-store')
        .send(body);
    },
  );
};
