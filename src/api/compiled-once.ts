/**
 * `compile` with its result kept for each schema for the life of the process: every app built in
 * it (the service builds one; a test process or the API-types script many) reuses what was
 * compiled for a schema it shares with an app built before. What is kept must keep no state of its
 * own. `schemaOf` finds the schema in compile's argument; an argument without an object schema is
 * compiled each time.
 */
export function compiledOnce<A, R>(
  compile: (arg: A) => R,
  schemaOf: (arg: A) => unknown = (arg) => arg,
): (arg: A) => R {
  const kept = new WeakMap<object, R>();
  return (arg) => {
    const schema = schemaOf(arg);
    if (typeof schema !== 'object' || schema === null) return compile(arg);
    let result = kept.get(schema);
    if (result === undefined) {
      result = compile(arg);
      kept.set(schema, result);
    }
    return result;
  };
}
