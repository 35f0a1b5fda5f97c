import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { compiledOnce } from './compiled-once.js';

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/** Fastify's own: fast-json-stringify, the response schema's fields only. */
const fastJsonStringify = SerializerSelector();

/**
 * A response schema's serializer without shared schemas or options, compiled once for each schema
 * as JSON (it keeps no state, and reads nothing of the schema but its JSON).
 */
const sharedSerializer = compiledOnce(fastJsonStringify({}, {}), (route) => route.schema, 'same JSON');

/**
 * Fastify's response serializers, each compiled once for the process (see compiledOnce). The app
 * adds no shared schemas (`addSchema`) and sets no serializer options; were there any, what they
 * change is compiled anew each time.
 */
export const buildSerializer: SerializerFactory = (externalSchemas, options) =>
  Object.keys(externalSchemas ?? {}).length === 0 && Object.keys(options ?? {}).length === 0
    ? sharedSerializer
    : fastJsonStringify(externalSchemas, options);
