/** Where things are inside a job container. */

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
 * Put there by the worker once it has the engine's first reading of the container: a command that
 * ended before it waits for it before the container exits (entrypoint.sh), a few seconds at most.
 */
export const ENGINE_SAMPLED_PATH = `${METRICS_DIR}/engine-sampled`;
/**
 * The sampler's volume again, outside /job: where the worker puts ENGINE_SAMPLED_PATH's file. The
 * engine refuses to put files into a running container anywhere under a read-only mount, and /job
 * is one, its own volumes inside it included.
 */
export const METRICS_GATE_DIR = '/.tds-gate';
/** The in-memory scratch folder, also the command's HOME. */
export const TMP_DIR = '/tmp';
