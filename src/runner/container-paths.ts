/** Where things are inside a job container. */
import { constants } from 'node:os';

/** Where the command runs, and everything of the run lies: a volume of the run's (runVolumes). */
export const JOB_DIR = '/job';

/** The job's inputs, owned by root: read-only for the command. */
export const INPUT_DIR = '/job/input';
/** Files of earlier workflow steps, one folder per step (and fan-out item), owned by root. */
export const STEPS_DIR = '/job/steps';
/** The job's output folder: a volume the command's user may write to, read after exit. */
export const OUTPUT_DIR = '/job/output';
/** The metrics sampler's folder: a volume of its own, read after exit. */
export const METRICS_DIR = '/job/.metrics';
export const METRICS_PATH = `${METRICS_DIR}/metrics.csv`;
/**
 * Sent by the worker to the container once it has the engine's first reading of it: a command that
 * ended before it waits for it before the container exits (entrypoint.sh, told its name by
 * TDS_METRICS_GATE), a few seconds at most. Its default action is nothing, so one that came before
 * the entrypoint listens for it stops nothing; the engine's init passes it to the entrypoint only,
 * never to the command. A signal costs the engine far less than a file put into the container
 * (which it unpacks in a process of its own).
 */
export const SAMPLED_SIGNAL = 'WINCH';

/** Whether an engine's kill event (its signal as a number, or a name) was SAMPLED_SIGNAL's: it stops nothing. */
export function isSampledSignal(signal: string | undefined): boolean {
  return (
    signal === SAMPLED_SIGNAL ||
    signal === `SIG${SAMPLED_SIGNAL}` ||
    signal === String(constants.signals[`SIG${SAMPLED_SIGNAL}`])
  );
}
/** The in-memory scratch folder, also the command's HOME. */
export const TMP_DIR = '/tmp';
