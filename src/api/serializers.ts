import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Serializer = ReturnType<ReturnType<SerializerFactory>>;

/** Fastify's own: fast-json-stringify, the response schema's fields only. */
const fastJsonStringify = SerializerSelector();

/** Each response schema's serializer, compiled once for the process (see buildSerializer). */
const serializers = new WeakMap<object, Serializer>();

/**
 * Fastify's response serializers, each compiled once for the process: every app built in it (the
 * service builds one; a test process or the API-types script many) reuses the serializer of a
 * response schema it shares with an app built before. A serializer keeps no state. The app adds
 * no shared schemas (`addSchema`); were there any, what they change is compiled anew each time.
 */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = fastJsonStringify(externalSchemas, options);
  const shared = Object.keys(externalSchemas ?? {}).length === 0 && Object.keys(options ?? {}).length === 0;
  return (route) => {
    const schema = route.schema;
    if (!shared || typeof schema !== 'object' || schema === null) return compile(route);
    let serializer = serializers.get(schema);
    if (!serializer) {
      serializer = compile(route);
      serializers.set(schema, serializer);
    }
    return serializer;
  };
};
