import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The service's version, from its package.json: the folder above this file's (src/), or two above
 * when compiled (dist/src/). Workers advertise it, so a rolling upgrade can be followed.
 */
export function serviceVersion(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    path.join(here, '..', 'package.json'),
    path.join(here, '..', '..', 'package.json'),
  ]) {
    try {
      const { name, version } = JSON.parse(readFileSync(candidate, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (name === 'task-deploy-service' && version) return version;
    } catch {
      // Not there: try the next folder up.
    }
  }
  return 'unknown';
}
