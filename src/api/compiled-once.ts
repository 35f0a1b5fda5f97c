/**
 * `compile` with its result kept for each schema for the life of the process: every app built in
 * it (the service builds one; a test process or the API-types script many) reuses what was
 * compiled for a schema it shares with an app built before. What is kept must keep no state of its
 * own. `schemaOf` finds the schema in compile's argument; an argument without an object schema is
 * compiled each time.
 *
 * A schema is the same one as the very same object, or with `sameWhen: 'same JSON'` as any object
 * of the same JSON text: for a compiler that reads nothing of a schema but its JSON (as
 * fast-json-stringify), since routes build their schemas anew each time an app is built. Not for
 * one that reads more (TypeBox's checks keep functions and markers JSON leaves out).
 */
export function compiledOnce<A, R>(
  compile: (arg: A) => R,
  schemaOf: (arg: A) => unknown = (arg) => arg,
  sameWhen: 'same object' | 'same JSON' = 'same object',
): (arg: A) => R {
  const byObject = new WeakMap<object, R>();
  const byJson = new Map<string, R>();
  return (arg) => {
    const schema = schemaOf(arg);
    if (typeof schema !== 'object' || schema === null) return compile(arg);
    let result = byObject.get(schema);
    if (result !== undefined) return result;
    const json = sameWhen === 'same JSON' ? JSON.stringify(schema) : undefined;
    result = json === undefined ? undefined : byJson.get(json);
    if (result === undefined) {
      result = compile(arg);
      if (json !== undefined) byJson.set(json, result);
    }
    byObject.set(schema, result);
    return result;
  };
}
