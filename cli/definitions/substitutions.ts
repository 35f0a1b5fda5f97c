/**
 * `${NAME}` in any string of a definition: the built-in values, values the file defines (`vars`),
 * and environment variables named with `--env NAME` (the environment is read for no other name).
 * A name none of these defines is left as it is, so a command's own shell variables (`${HOME}`)
 * pass through; `$${NAME}` keeps a defined name literal.
 *
 * `${TODAY}` and `${NOW}` are not tds's: the service fills them in at each run, with the date and
 * time of its fire (docs/scheduling.md), so a stored definition is the same whatever the day it is
 * applied. tds sends them as written (`$${TODAY}` too: the service keeps that one literal).
 */
export function builtInValues(cwd = process.cwd()): Record<string, string> {
  return {
    CWD: cwd,
    PLATFORM: `${process.platform}-${process.arch}`,
  };
}

/** The names the service fills in at each run: HOCON's own substitutions of them give them back as written. */
export const SERVICE_FILLED: Readonly<Record<string, string>> = { TODAY: '${TODAY}', NOW: '${NOW}' };

/** The values of the environment variables named with --env; a name that is not set is a usage error. */
export function environmentValues(
  names: string[],
  env: NodeJS.ProcessEnv = process.env,
): {
  values: Record<string, string>;
  missing: string[];
} {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = env[name];
    if (value === undefined) missing.push(name);
    else values[name] = value;
  }
  return { values, missing };
}

export function substituteText(text: string, values: Record<string, string>): string {
  return text.replace(/\$(\$?)\{([A-Za-z_][A-Za-z0-9_.]*)\}/g, (whole, escaped: string, name: string) => {
    if (!(name in values)) return whole;
    return escaped ? whole.slice(1) : values[name]!;
  });
}

/** Substitutes in every string of a value (keys are left as written). */
export function substituteAll(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return substituteText(value, values);
  if (Array.isArray(value)) return value.map((item) => substituteAll(item, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, substituteAll(v, values)]),
    );
  }
  return value;
}
