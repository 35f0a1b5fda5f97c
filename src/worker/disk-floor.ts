import { statfs } from 'node:fs/promises';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';

/**
 * A worker stops claiming while the disk of its data folder (its spool, where results wait for S3,
 * and the runs' working files) has less free than a floor: a run claimed then could not keep what
 * it makes. It claims again once there is room; what it holds goes on.
 */
export interface DiskFloor {
  /** Whether there is room to claim: the disk read now (a failed reading does not stop claims). */
  roomToClaim(): Promise<boolean>;
  /** Free bytes at the last reading; undefined before one. */
  readonly freeBytes: number | undefined;
}

export function createDiskFloor(dir: string, minFreeBytes: number, logger: Logger): DiskFloor {
  let freeBytes: number | undefined;
  let below = false;
  return {
    async roomToClaim() {
      if (minFreeBytes === 0) return true;
      const stats = await statfs(dir).catch((error: unknown) => {
        logger.warn({ dir, error: errorMessage(error) }, 'could not read the free space of the data folder');
        return undefined;
      });
      if (!stats) return true;
      freeBytes = stats.bavail * stats.bsize;
      const room = freeBytes >= minFreeBytes;
      if (!room && !below) {
        logger.warn(
          { dir, freeBytes, minFreeBytes },
          'stopped claiming runs: the data folder has less free space than TDS_WORKER_MIN_FREE_MB',
        );
      } else if (room && below) {
        logger.info({ dir, freeBytes }, 'claiming runs again: the data folder has room');
      }
      below = !room;
      return room;
    },
    get freeBytes() {
      return freeBytes;
    },
  };
}
