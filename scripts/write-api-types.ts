/** Rewrites api-types/openapi.ts from the service's route schemas (`npm run api:types`). */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { API_TYPES_FILE, generateApiTypes } from './api-types.js';

const before = await readFile(API_TYPES_FILE, 'utf8').catch(() => '');
const after = await generateApiTypes();
const name = path.relative(process.cwd(), API_TYPES_FILE);
if (after === before) {
  console.log(`${name} is up to date`);
} else {
  await writeFile(API_TYPES_FILE, after);
  console.log(`wrote ${name}`);
}
