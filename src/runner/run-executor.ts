import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine, ContainerSpec } from '../../services/docker/container-engine.js';
import { BuildError, filesContainerName } from '../../services/docker/container-engine.js';
import { RunFailure, ShutdownRequested, errorMessage } from '../errors.js';
import type { JobNetwork } from '../jobs/job-spec.js';
import type { Run } from '../runs/run-repository.js';
import { requeue, startBuilding, startRunning } from '../runs/transitions.js';
import { readFireInstant } from '../runs/fire-instant.js';
import { fireTime, fireTimeEnv, specAtFireTime, type FireTime } from '../runs/fire-time.js';
import {
  INSTALLATION_LABEL,
  MANAGED_LABEL,
  RUN_ID_LABEL,
  WORKER_ID_LABEL,
  JOB_ENTRYPOINT,
  METRICS_SOURCE_LABEL,
  fencedContainerName,
  runContainerName,
  runVolumes,
  type ImageBuilder,
} from './image-builder.js';
import { JOB_DIR, METRICS_PATH, SAMPLED_SIGNAL, TMP_DIR } from './container-paths.js';
import { runFilesArchive } from './run-files.js';
import type { EngineSampler } from './engine-sampler.js';
import { gpuDevices, runContainerWithDevices } from './gpu-devices.js';
import { prebuiltLaunch, type PrebuiltLaunch } from './prebuilt-launch.js';
import { engineMetricsPath, runWorkDir } from './finisher-context.js';
import type { RunFinisher } from './run-finisher.js';
import { stageInputs, stageStepInputs } from './stage-inputs.js';
import { retryWithBackoff } from '../retry-with-backoff.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { RunNetworks } from './run-networks.js';
import type { ResultSpool } from './result-spool.js';

export interface RunExecutorDeps {
  /** Told how long a run's staging and building took on this worker (the metrics, its trace). */
  observeStage?: (stage: 'staging' | 'building', seconds: number, run: Run) => void;
  db: SqlExecutor;
  store: ObjectStore;
  engine: ContainerEngine;
  images: ImageBuilder;
  finisher: RunFinisher;
  logger: Logger;
  dataDir: string;
  workerId: string;
  /** Labelled on the run's container and network (src/fleet/installation.ts). */
  installationId: string;
  pidsLimit: number;
  /** Who the command runs as, and the size of its /tmp. */
  sandbox: { user: string; tmpSizeMb: number };
  /** The network of jobs stored before they had a `network` of their own. */
  defaultNetwork: JobNetwork;
  /**
   * This worker's result spool: what a run left in it before it was handed back to the queue
   * (the worker stopped while its early failure waited for the store) is void once it runs again.
   */
  spool: Pick<ResultSpool, 'remove'>;
  /** The bridge networks this worker gives its runs, kept from the host's own services (TDS_RUN_HOST_ACCESS). */
  networks: RunNetworks;
  /** All of a run's inputs together may come to at most this. */
  maxInputBytes: number;
  /** How staging is retried while the object store is unavailable. */
  storeRetry: { attempts: number; firstDelayMs: number };
  /** Samples the containers of prebuilt images that have no shell to sample themselves. */
  engineSampler: EngineSampler;
  /** Opens the secrets a run names, for its container's environment. */
  secrets: Pick<SecretService, 'forRun' | 'forget'>;
  /**
   * Whether the run's user may still run it, as their rights are now: undefined when they may,
   * else why not (naming the rule). Asked before anything of the run is staged.
   */
  refusal?: (run: Run) => Promise<string | undefined>;
  /** Called once the run's container is started, so its exit can be looked at right away. */
  onStarted?: (runId: string) => void;
}

/** Stops retryWithBackoff at once, carrying the error to rethrow. */
class FinalError extends Error {
  constructor(readonly error: unknown) {
    super('final');
  }
}

export interface RunExecutor {
  /** Takes a claimed (`staging`) run to `running`, or to an end state with the reason it stopped. */
  execute(run: Run, signal: AbortSignal): Promise<void>;
}

/** Turns whatever stopped a run before its container ran into the failure recorded for it. */
export function toRunFailure(error: unknown, signal: AbortSignal): RunFailure {
  if (signal.aborted && !(signal.reason instanceof ShutdownRequested)) {
    return new RunFailure('cancelled', 'cancelled on request before the command started');
  }
  if (error instanceof RunFailure) return error;
  if (error instanceof BuildError) {
    return new RunFailure('build_error', `the image could not be built: ${error.message}`, { cause: error });
  }
  return new RunFailure('infra_error', `the run could not be started: ${errorMessage(error)}`, {
    cause: error,
  });
}

export function createRunExecutor(deps: RunExecutorDeps): RunExecutor {
  const { db, store, engine, images, finisher, logger, dataDir, workerId } = deps;

  return {
    async execute(stored, signal) {
      let run = stored;
      const log = logger.child({ runId: run.id, jobId: run.jobId });
      let stageStarted = performance.now();
      const stageEnded = (stage: 'staging' | 'building') => {
        const now = performance.now();
        deps.observeStage?.(stage, (now - stageStarted) / 1000, run);
        stageStarted = now;
      };
      const contextDir = path.join(runWorkDir(dataDir, run.id), 'context');
      const buildLog: string[] = [];
      const note = (text: string) => buildLog.push(text);
      try {
        // Nothing of an earlier attempt may be delivered as this one's results, nor counted in
        // its metrics: its spool and working files go (one stopped by fencing leaves them).
        await deps.spool.remove(run.id);
        await rm(runWorkDir(dataDir, run.id), { recursive: true, force: true });
        // Rights are those of now, not of when the job was submitted: a schedule's fire, a trigger
        // and a retry all start here, so a ceiling lowered or a key revoked since holds for them.
        const refused = await deps.refusal?.(run);
        if (refused !== undefined) {
          throw new RunFailure('not_allowed', `refused as it was to start: ${refused}`);
        }
        // A fan-out item that could not be made into a run when it was queued fails with the reason.
        if (run.spec.item_problem !== undefined) throw new RunFailure('input_error', run.spec.item_problem);
        // The dates of this run's fire, filled in now: the stored definition reads the same any day.
        const instant = await readFireInstant(db, run);
        const time: FireTime = fireTime(instant.at, instant.timezone);
        run = { ...run, spec: specAtFireTime(run.spec, time) };
        const inputs = await retryWithBackoff(
          async () => {
            try {
              const inputs = await stageInputs(
                store,
                run.spec,
                path.join(contextDir, 'input'),
                signal,
                deps.maxInputBytes,
              );
              if (run.spec.step_inputs.length === 0) return inputs;
              const steps = await stageStepInputs(
                store,
                run.spec,
                path.join(contextDir, 'steps'),
                signal,
                deps.maxInputBytes,
                inputs.bytes,
              );
              return { ...inputs, stepFiles: steps.files, stepBytes: steps.bytes };
            } catch (error) {
              // Only passing faults of the store are tried again; a refused key or a missing bucket is final.
              if (error instanceof RunFailure && error.transient && !signal.aborted) throw error;
              throw new FinalError(error);
            }
          },
          {
            ...deps.storeRetry,
            retryable: (error) => !(error instanceof FinalError),
            onRetry: (error, n) =>
              log.warn({ error: errorMessage(error), attempt: n }, 'staging failed; retrying'),
          },
        ).catch((error: unknown) => {
          throw error instanceof FinalError ? error.error : error;
        });
        log.info(inputs, 'inputs staged');
        const building = await startBuilding(db, run.id, workerId);
        stageEnded('staging');
        if (!building) {
          await rm(runWorkDir(dataDir, run.id), { recursive: true, force: true });
          return;
        }
        signal.throwIfAborted();

        const labels = {
          [MANAGED_LABEL]: 'true',
          [RUN_ID_LABEL]: run.id,
          [WORKER_ID_LABEL]: workerId,
          [INSTALLATION_LABEL]: deps.installationId,
        };
        // The container is created from the package image (or the prebuilt image) itself: the run's
        // own files are put into it before it starts (run-files.ts), so a run makes no image.
        let image: string;
        let launch: PrebuiltLaunch | undefined;
        if (run.spec.image !== null) {
          const prebuilt = await images.preparePrebuiltImage(run.id, run.spec, note, labels);
          launch = prebuiltLaunch(prebuilt.ref, prebuilt.config, run.spec.args, prebuilt.hasShell);
          image = prebuilt.id;
        } else {
          image = await images.ensurePackageImage(run.spec, note, signal).catch((error: unknown) => {
            if (error instanceof BuildError) {
              note(error.log);
              const what =
                run.spec.linux_dependencies.length > 0
                  ? `installing ${run.spec.linux_dependencies.join(', ')} on ${run.spec.base_image}`
                  : `preparing ${run.spec.base_image} for jobs`;
              throw new RunFailure('build_error', `${what} failed: ${error.message}`);
            }
            throw error;
          });
        }
        signal.throwIfAborted();

        // Opened now, at the run's start, and given only to the container's environment as it is
        // created: never to an image build, never to its files, never stored.
        const secretEnv = await deps.secrets.forRun({
          id: run.id,
          userId: run.spec.userId,
          names: run.spec.secrets ?? [],
        });
        // An image without /bin/sh has no sampler of its own (entrypoint.sh): only the engine's.
        const engineOnly = launch !== undefined && launch.entrypoint !== JOB_ENTRYPOINT;
        // Labelled as the container is, so that housekeeping knows whose they are. Made empty: an
        // earlier attempt's (a crash after making them, before the run was recorded running) are
        // removed first, with its container, so that none of its files become this one's outputs.
        const containerName = runContainerName(run.id);
        // /job is read-only for the command, as the root filesystem is: only its files put it there.
        const volumes = runVolumes(run.id).map((volume) => ({ ...volume, readOnly: volume.dir === JOB_DIR }));
        await engine.removeContainer(containerName);
        await engine.removeContainer(filesContainerName(containerName));
        // An attempt stopped by its worker cut off from the database (fencing) left its container.
        await engine.removeContainer(fencedContainerName(run.id));
        // Side by side: each is a request to the engine, and they are on the way to every start.
        await Promise.all(
          volumes.map(async (volume) => {
            await engine.removeVolume(volume.name);
            await engine.createVolume(volume.name, labels);
          }),
        );
        const spec: ContainerSpec = {
          name: containerName,
          image,
          // Only what the job asked for, and the sampler's settings: never the service's environment.
          env: [
            ...('HOME' in run.spec.env || 'HOME' in secretEnv ? [] : [`HOME=${TMP_DIR}`]),
            ...Object.entries(run.spec.env).map(([name, value]) => `${name}=${value}`),
            ...Object.entries(secretEnv).map(([name, value]) => `${name}=${value}`),
            ...fireTimeEnv(time),
            `TDS_METRICS_INTERVAL=${run.spec.metrics_interval_seconds}`,
            `TDS_METRICS_FILE=${METRICS_PATH}`,
            `TDS_METRICS_GATE=${SAMPLED_SIGNAL}`,
          ],
          labels: { ...labels, [METRICS_SOURCE_LABEL]: engineOnly ? 'engine' : 'container' },
          cpus: run.spec.cpus,
          memoryBytes: run.spec.memory_mb * 1024 * 1024,
          pidsLimit: deps.pidsLimit,
          workingDir: launch?.workingDir ?? '/job',
          // A prebuilt image's own USER is not used: every run runs as the sandbox's user.
          user: deps.sandbox.user,
          network: 'none',
          volumes,
          tmpfs: { [TMP_DIR]: deps.sandbox.tmpSizeMb * 1024 * 1024 },
          entrypoint: launch?.entrypoint ?? JOB_ENTRYPOINT,
          ...(launch ? { command: launch.command } : {}),
          ...gpuDevices(run.spec.gpus),
        };
        const archive = await runFilesArchive(run.spec, contextDir, deps.sandbox.user, launch !== undefined);
        // Jobs stored before `network` existed have none of their own. A bridge run gets a network
        // no other run under way is on (run-networks.ts), so no two runs can reach each other,
        // found (or made) while the volumes are filled. Both settle before either's failure is
        // thrown: nothing is left being made behind it.
        const [network, filled] = await Promise.allSettled([
          ((run.spec.network as JobNetwork | undefined) ?? deps.defaultNetwork) === 'bridge'
            ? deps.networks.acquire()
            : Promise.resolve('none'),
          engine.fillVolumes(spec, { dir: JOB_DIR, archive }),
        ]);
        let containerId: string;
        try {
          if (network.status === 'rejected') throw network.reason;
          if (filled.status === 'rejected') throw filled.reason;
          containerId = await runContainerWithDevices(engine, workerId, {
            ...spec,
            network: network.value,
            filled: true,
          });
        } finally {
          // Running on it now (or not started): the network is no longer held for this start.
          if (network.status === 'fulfilled') deps.networks.started(network.value);
        }
        // Every run is sampled from the engine: those are its recorded figures (the job's own
        // file can say anything). The command runs at once; once the first reading is taken, the
        // worker signals the container (SAMPLED_SIGNAL), and entrypoint.sh holds a command that
        // ended before it (5 s at most) until it comes, so that a run shorter than one interval
        // still has a reading. The engine answers a reading at its next refresh, up to a second
        // away on a busy engine: held before the command, as it once was, every run waited for it.
        const firstReading = deps.engineSampler.start(
          run.id,
          containerId,
          engineMetricsPath(dataDir, run.id),
          run.spec.metrics_interval_seconds,
        );
        if (!engineOnly) {
          void firstReading
            .then((written) => (written ? engine.signalContainer(containerId, SAMPLED_SIGNAL) : undefined))
            .catch((error: unknown) =>
              log.warn({ error: errorMessage(error) }, 'could not tell the container it has been sampled'),
            );
        }
        const running = await startRunning(db, run.id, workerId, { containerId, image });
        stageEnded('building');
        if (!running) {
          deps.secrets.forget(run.id);
          await engine.removeContainer(containerId);
          for (const volume of volumes) await engine.removeVolume(volume.name);
          await rm(runWorkDir(dataDir, run.id), { recursive: true, force: true });
          return;
        }
        log.info({ containerId, image }, 'container started');
        deps.onStarted?.(run.id);
      } catch (error) {
        if (signal.reason instanceof ShutdownRequested) {
          // Handed back: another worker (or this one, restarted) stages and builds it again.
          deps.secrets.forget(run.id);
          const requeued = await requeue(db, run.id, workerId);
          for (const volume of runVolumes(run.id))
            await engine.removeVolume(volume.name).catch(() => undefined);
          await rm(runWorkDir(dataDir, run.id), { recursive: true, force: true });
          if (requeued) log.info('handed back to the queue at shutdown');
          return;
        }
        const failure = toRunFailure(error, signal);
        if (failure.reason === 'infra_error') log.error({ err: error }, 'run could not be started');
        await finisher.finishEarly(run.id, failure, { buildLog: buildLog.join('') });
      }
    },
  };
}
