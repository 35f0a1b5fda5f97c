import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarFs from 'tar-fs';
import type { JobSpec } from '../jobs/job-spec.js';
import { JOB_DIR, METRICS_DIR, OUTPUT_DIR } from './container-paths.js';
import { RUNTIME_FILES, TEMPLATE_DIR } from './image-builder.js';

/** The folders under /job the command's user may write to (each a volume of its own). */
const WRITABLE = new Set([OUTPUT_DIR, METRICS_DIR].map((dir) => path.posix.relative(JOB_DIR, dir)));

/**
 * What a run puts under /job in its created container before it starts (ContainerSpec.files): its
 * inputs (`input/`), earlier steps' files (`steps/`) and its command (`.tds/command.sh`), as staged
 * in `contextDir`, all owned by root with the modes they were staged with; and the output and
 * metrics folders, owned by the command's user `jobUser` (`uid:gid`). On a prebuilt image
 * (`prebuilt`) the runtime scripts (entrypoint and sampler) come with them, as a package image
 * would have brought them. The command goes into a file of its own, byte for byte: it is never
 * part of any other text.
 */
export async function runFilesArchive(
  spec: JobSpec,
  contextDir: string,
  jobUser: string,
  prebuilt: boolean,
): Promise<Readable> {
  const tdsDir = path.join(contextDir, '.tds');
  await mkdir(tdsDir, { recursive: true });
  await mkdir(path.join(contextDir, 'input'), { recursive: true });
  for (const dir of WRITABLE) await mkdir(path.join(contextDir, dir), { recursive: true });
  if (spec.command !== null) await writeFile(path.join(tdsDir, 'command.sh'), spec.command);
  if (prebuilt) {
    for (const file of RUNTIME_FILES) {
      await writeFile(path.join(tdsDir, file), await readFile(path.join(TEMPLATE_DIR, file)));
    }
  }
  const [uid, gid] = jobUser.split(':').map(Number) as [number, number];
  return tarFs.pack(contextDir, {
    map(header) {
      // Whoever the worker runs as, the job sees root's files (as an image's COPY makes them),
      // but for the folders it writes to.
      const writable = header.type === 'directory' && WRITABLE.has(header.name);
      header.uid = writable ? uid : 0;
      header.gid = writable ? gid : 0;
      return header;
    },
  }) as unknown as Readable;
}
