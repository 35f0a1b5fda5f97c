import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireSameUser } from '../../auth/principal.js';
import { EVENT_TYPES } from '../../events/outbox.js';
import { NAME_PATTERN } from '../../jobs/job-spec.js';
import type { Delivery, WebhookEndpoint } from '../../webhooks/webhook-repository.js';
import type { WebhookService } from '../../webhooks/webhook-service.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams } from '../schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

const WebhookSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  jobId: Type.Union([Type.String(), Type.Null()], { description: "set for a job's notify_url" }),
  workflowId: Type.Union([Type.String(), Type.Null()], { description: "set for a workflow's notify_url" }),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  previousSecretValidUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const WithSecret = Type.Object({
  webhook: WebhookSchema,
  secret: Type.String({ description: 'the whsec_ signing secret: shown here only, keep it' }),
});

const DeliverySchema = Type.Object({
  id: Type.String(),
  webhookId: Type.String({ description: 'the webhook-id header sent, the same on every attempt' }),
  eventId: Type.String(),
  eventType: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  history: Type.Array(
    Type.Object({
      attempt: Type.Integer(),
      at: Type.String(),
      status: Type.Union([Type.Integer(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
      durationMs: Type.Integer(),
    }),
  ),
});

function webhookView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    userId: endpoint.userId,
    url: endpoint.url,
    events: endpoint.events,
    jobId: endpoint.jobId,
    workflowId: endpoint.workflowId,
    description: endpoint.description,
    enabled: endpoint.disabledAt === null,
    disabledAt: endpoint.disabledAt?.toISOString() ?? null,
    disabledReason: endpoint.disabledReason,
    previousSecretValidUntil:
      endpoint.previousValidUntil && endpoint.previousValidUntil > new Date()
        ? endpoint.previousValidUntil.toISOString()
        : null,
    createdAt: endpoint.createdAt.toISOString(),
  };
}

function deliveryView(delivery: Delivery) {
  return {
    id: delivery.id,
    webhookId: `msg_${delivery.id.replace(/-/g, '')}`,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    state: delivery.state,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
    endedAt: delivery.endedAt?.toISOString() ?? null,
    lastError: delivery.lastError,
    history: delivery.history,
  };
}

/** The Fastify instance a route plugin is given, with TypeBox types. */
type TypedApp = Parameters<FastifyPluginAsyncTypebox>[0];

export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  endpointRoutes(app, webhooks);
  endpointStateRoutes(app, webhooks);
  deliveryRoutes(app, webhooks);
};

/** Register, list, read and delete a user's webhook endpoints. */
function endpointRoutes(app: TypedApp, webhooks: WebhookService): void {
  app.post(
    '/webhooks',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Register a webhook endpoint: a URL and the events it wants',
        description:
          'Deliveries follow the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature). The URL must resolve to public addresses unless the operator allows private ones. The secret is in this answer only.',
        tags: ['webhooks'],
        body: Type.Object(
          {
            userId: Type.String({ pattern: NAME_PATTERN }),
            url: Type.String({ minLength: 1, maxLength: 2048 }),
            events: Type.Array(Type.String({ enum: [...EVENT_TYPES] }), {
              minItems: 1,
              maxItems: EVENT_TYPES.length,
              description: `any of ${EVENT_TYPES.join(', ')}`,
            }),
            description: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: WithSecret, ...errors, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      requireSameUser(request.principal, request.body.userId);
      const { endpoint, secret } = await webhooks.register(request.body);
      request.log.info({ webhookId: endpoint.id }, 'webhook registered');
      return reply.status(201).send({ webhook: webhookView(endpoint), secret });
    },
  );

  app.get(
    '/webhooks',
    {
      config: { access: 'user' },
      schema: {
        summary: "A user's webhook endpoints (never their secrets)",
        tags: ['webhooks'],
        querystring: Type.Object(
          { userId: Type.String({ pattern: NAME_PATTERN }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ webhooks: Type.Array(WebhookSchema) }), ...errors },
      },
    },
    async (request) => {
      requireSameUser(request.principal, request.query.userId);
      return { webhooks: (await webhooks.list(request.query.userId)).map(webhookView) };
    },
  );

  app.get(
    '/webhooks/:id',
    {
      config: { access: ownerOf('webhook') },
      schema: {
        summary: 'A webhook endpoint',
        tags: ['webhooks'],
        params: IdParams,
        response: { 200: WebhookSchema, ...errors },
      },
    },
    async (request) => webhookView(await webhooks.get(request.params.id)),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { access: ownerOf('webhook') },
      schema: {
        summary: 'Delete a webhook endpoint, with its deliveries: nothing more is sent to it',
        tags: ['webhooks'],
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );
}

/** An endpoint's secret rotated, and an endpoint turned off and back on. */
function endpointStateRoutes(app: TypedApp, webhooks: WebhookService): void {
  app.post(
    '/webhooks/:id/rotate-secret',
    {
      config: { access: ownerOf('webhook') },
      schema: {
        summary: 'A new secret; the previous one keeps signing, beside it, for 24 hours',
        tags: ['webhooks'],
        params: IdParams,
        response: { 200: WithSecret, ...errors },
      },
    },
    async (request) => {
      const { endpoint, secret } = await webhooks.rotate(request.params.id);
      return { webhook: webhookView(endpoint), secret };
    },
  );

  app.post(
    '/webhooks/:id/enable',
    {
      config: { access: ownerOf('webhook') },
      schema: {
        summary:
          'Turn a disabled endpoint back on (one that answered 410, was disabled, or lost its notify_url)',
        tags: ['webhooks'],
        params: IdParams,
        response: { 200: WebhookSchema, ...errors },
      },
    },
    async (request) => webhookView(await webhooks.enable(request.params.id)),
  );

  app.post(
    '/webhooks/:id/disable',
    {
      config: { access: ownerOf('webhook') },
      schema: {
        summary: 'Turn an endpoint off: nothing more is sent to it until it is enabled again',
        description:
          'No delivery is queued for it while it is off, and its pending deliveries fail; its deliveries stay listed. Disabling a disabled endpoint changes nothing.',
        tags: ['webhooks'],
        params: IdParams,
        response: { 200: WebhookSchema, ...errors },
      },
    },
    async (request) => webhookView(await webhooks.disable(request.params.id)),
  );
}

/** An endpoint's deliveries, and one sent again. */
function deliveryRoutes(app: TypedApp, webhooks: WebhookService): void {
  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { access: ownerOf('webhook') },
      schema: {
        summary: "An endpoint's deliveries, newest first, each with every attempt",
        tags: ['webhooks'],
        params: IdParams,
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ deliveries: Type.Array(DeliverySchema) }), ...errors },
      },
    },
    async (request) => ({
      deliveries: (await webhooks.deliveries(request.params.id, request.query.limit ?? 100)).map(
        deliveryView,
      ),
    }),
  );

  app.post(
    '/webhook-deliveries/:id/redeliver',
    {
      config: { access: ownerOf('webhook_delivery') },
      schema: {
        summary: 'Send a delivery again, now, with the same webhook-id',
        tags: ['webhooks'],
        params: IdParams,
        response: { 202: Type.Object({ id: Type.String(), state: Type.Literal('pending') }), ...errors },
      },
    },
    async (request, reply) => {
      await webhooks.redeliver(request.params.id);
      return reply.status(202).send({ id: request.params.id, state: 'pending' as const });
    },
  );
}
