// The API's request and answer types, generated from the service's OpenAPI document (GET /docs/json)
// by `npm run api:types` (scripts/api-types.ts): never edit by hand, regenerate. The dashboard and
// tds type their requests with it (openapi-fetch); test/unit/api-types.test.ts fails when it is stale.
export interface paths {
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Liveness: the process answers (nothing else is asked)
     * @description Reads nothing and is never rate limited: for a container HEALTHCHECK or a liveness probe. Whether the database and the Docker engine answer is GET /readyz.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ok';
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Readiness: whether the database and the Docker engine answer
     * @description Anyone sees `ok` (200) or `not_ready` (503); an operator key (or local development) also sees each check and why it fails. A key sent is checked: a bad one gets 401.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              status: 'ok' | 'not_ready';
              /** @description each check and why it fails: operators only */
              checks?: {
                [key: string]: string;
              };
            };
          };
        };
        /** @description Default Response */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              status: 'ok' | 'not_ready';
              /** @description each check and why it fails: operators only */
              checks?: {
                [key: string]: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A user's jobs, newest first, a page at a time */
    get: {
      parameters: {
        query: {
          /** @description whose jobs to list */
          userId: string;
          limit?: number;
          /** @description nextCursor of the previous page */
          cursor?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              jobs: components['schemas']['def-0'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    /**
     * Submit a job
     * @description Stores the job and queues its first run (a job without cron runs once, now). The same userId + uniqueId again returns the existing job with 200. A new job answers 202 with warnings, such as required tags that no worker has ever advertised. With ?dry_run=true the job is validated as it would be (every problem listed in a 400's problems, each with a JSON Pointer into the body) and answered with 200 { valid: true, spec } (the job as it would be stored); nothing is stored.
     */
    post: {
      parameters: {
        query?: {
          /** @description validate only: answer { valid, spec } and store nothing */
          dry_run?: boolean;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json':
            | {
                /** @description who owns the job: letters, digits, ".", "_", "@" and "-", up to 128 characters */
                userId: string;
                /** @description the caller's idempotency key within userId (letters, digits, '.', '_', '@', '-'; up to 128 characters); posting the same job again returns the existing one */
                uniqueId: string;
                /** @description the bucket inputs are read from and results are written to (S3 bucket naming rules) */
                s3_bucket: string;
                /** @description folder of the bucket whose objects become the inputs under /job/input/ ("" for the whole bucket; a leading "/" is dropped; ".." is refused) */
                source_s3_prefix: string;
                /** @description folder of the bucket that receives results, as <prefix>/<uniqueId>/<runId>/ (a leading "/" is dropped; ".." is refused) */
                destination_s3_prefix: string;
                /** @description the shell command to run in /job with /bin/sh, exactly as written (at most 16384 characters) but for ${TODAY} and ${NOW}, which each run gets filled in with the date and time of its fire (as in args and env values); give either command or image */
                command?: string;
                /** @description a prebuilt image to run as it is instead of a command: its entrypoint is kept and args is its command; no packages are installed (linux_dependencies and base_image do not apply). Pulled for each run unless the operator lists it as a local image; the service's own images (tds-run, tds-packages) and image ids are refused */
                image?: string;
                /** @description with image only: the image's command, as a list of arguments, or as a string run by the image's /bin/sh -c; omitted, the image's own CMD is used */
                args?: string[] | string;
                /** @description keep the last non-empty line of stdout as the run's result (at most TDS_MAX_RESULT_BYTES, 64 KiB unless the operator says otherwise), shown in the run view and run.json (default false) */
                capture_result?: boolean;
                /** @description packages installed with the base image's package manager (apt-get, apk, dnf or yum) */
                linux_dependencies?: string[];
                /** @description a cron expression (5 fields, or 6 with seconds first) to run the job on a schedule; omit to run once, now */
                cron?: string;
                /** @description IANA timezone the cron expression is read in, e.g. "Europe/Paris" (default UTC) */
                timezone?: string;
                /** @description when a fire time comes while the previous run is still queued or going: skip it (default, recorded), allow a second run alongside, queue_one (buffer one run to start when the previous ends), or replace (cancel the previous run) */
                overlap_policy?: 'skip' | 'allow' | 'queue_one' | 'replace';
                /** @description fire times missed while the service was down: run the latest one within the catch-up window (default), all of them within the window (up to catch_up_limit, one after another), or none; each missed time is recorded */
                catch_up_policy?: 'latest' | 'all' | 'skip';
                /** @description how far back a missed fire time may be and still be caught up (default 3600) */
                catch_up_window_seconds?: number;
                /** @description the most missed fire times caught up at once with catch_up_policy "all" (default 10) */
                catch_up_limit?: number;
                /** @description how many times a run may be attempted when it fails for infrastructure reasons (infra_error), or for a non-zero exit with retry_on_exit_code (default 3) */
                max_attempts?: number;
                /** @description also retry when the command exits non-zero (default false) */
                retry_on_exit_code?: boolean;
                /** @description wait before the second attempt, doubled for each further one, at most 600 s (default 10) */
                retry_backoff_seconds?: number;
                /** @description how long the command may run before it is stopped and the run ends timed_out */
                timeout_seconds?: number;
                /** @description CPU limit in cores, e.g. 0.5 */
                cpus?: number;
                /** @description memory limit in MiB */
                memory_mb?: number;
                /** @description GPUs the container is given: a count, or "all" of the worker's; the run is claimed only by a worker holding the "gpu" tag (its engine has the NVIDIA runtime, or its operator says so), which is added to requires; at most the service's TDS_USER_MAX_GPUS */
                gpus?: number | 'all';
                /** @description disk in MiB the run may fill in the folders it can write to (/job/output); a run that writes more is stopped and fails disk_limit_exceeded, with what it wrote uploaded (default: the service's TDS_DEFAULT_DISK_MB) */
                disk_mb?: number;
                /** @description environment variables for the command (names starting with TDS_ are reserved) */
                env?: {
                  [key: string]: string;
                };
                /** @description names of the user's secrets (PUT /secrets/NAME) the command gets as environment variables of those names, opened when each run starts: the values are never stored with the job, never in its image, and masked (***) in its logs; each must exist when the job is submitted */
                secrets?: string[];
                /** @description the base image of the job image (default: the service's TDS_BASE_IMAGE); pulled for each run unless the operator lists it as a local image, as for image */
                base_image?: string;
                /** @description how often CPU and memory are sampled into metrics.csv */
                metrics_interval_seconds?: number;
                /** @description the network the container is on: "none" (loopback only: no way in or out) or "bridge" (can reach the internet); default: the service's TDS_DEFAULT_NETWORK */
                network?: 'none' | 'bridge';
                /** @description an http(s) URL told when each of the job's runs ends (run.succeeded, run.failed, run.cancelled, run.timed_out), signed as webhooks are; its whsec_ secret is in the answer that creates the job, and only there */
                notify_url?: string;
                /** @description days after a run ends that its results folder in S3 (logs, outputs, metrics, run.json) is deleted, a whole number up to 36500; 0 keeps them for ever; omitted, the service's TDS_RESULTS_RETENTION_DAYS (default 0). Never later than the service's TDS_RETENTION_DAYS, when that is not 0. A workflow's value is its steps' */
                results_retention_days?: number;
                /** @description tags a worker must hold, every one of them, to run this job (a worker holds its TDS_WORKER_TAGS and its platform, e.g. "linux/arm64"); runs that no live worker can take stay queued and say what they wait for */
                requires?: string[];
              }
            | unknown
            | unknown;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json':
              | {
                  job: components['schemas']['def-0'];
                  run: components['schemas']['def-1'] | (never | null);
                  created: boolean;
                }
              | {
                  /** @enum {boolean} */
                  valid: true;
                  spec: {
                    userId: string;
                    uniqueId: string;
                    s3_bucket: string;
                    source_s3_prefix: string;
                    destination_s3_prefix: string;
                    /** @description the shell command; null when the job runs an image */
                    command: string | null;
                    /** @description the prebuilt image the job runs; null for a command */
                    image: string | null;
                    args: (string[] | string) | (never | null);
                    /** @description files from a workflow's earlier steps, staged under /job/steps/<name>/ */
                    step_inputs: {
                      name: string;
                      bucket: string;
                      prefix: string;
                      /** @description only this object under prefix (a fan-out step's manifest, items.jsonl) */
                      file?: string;
                    }[];
                    capture_result: boolean;
                    linux_dependencies: string[];
                    cron: string | null;
                    timezone: string;
                    overlap_policy: string;
                    catch_up_policy: string;
                    catch_up_window_seconds: number;
                    catch_up_limit: number;
                    max_attempts: number;
                    retry_on_exit_code: boolean;
                    retry_backoff_seconds: number;
                    timeout_seconds: number;
                    cpus: number;
                    memory_mb: number;
                    /** @description GPUs the container is given, a count or "all" (absent: none) */
                    gpus?: number | 'all';
                    /** @description disk in MiB the run may fill in /job/output (absent: TDS_DEFAULT_DISK_MB) */
                    disk_mb?: number;
                    env: {
                      [key: string]: string;
                    };
                    /** @description a fan-out item's run only: why it could not run (a {{item.FIELD}} the item lacks, or a refused image filled from it), found when it was queued; the run failed with it (input_error) without running */
                    item_problem?: string;
                    /** @description names of the user's secrets given to the command as environment variables (never their values) */
                    secrets?: string[];
                    base_image: string;
                    metrics_interval_seconds: number;
                    /** @description none or bridge */
                    network?: string;
                    notify_url?: string;
                    /** @description tags the worker must hold */
                    requires?: string[];
                  };
                };
          };
        };
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              job: components['schemas']['def-0'];
              run: components['schemas']['def-1'] | (never | null);
              created: boolean;
              /** @description with notify_url, when the job is created */
              notify?: {
                webhookId: string;
                /** @description the notify_url's whsec_ signing secret: shown here only */
                secret: string;
              };
              /** @description what may keep the job from running as expected, e.g. required tags no worker has ever advertised */
              warnings: string[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A job and its latest runs */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              job: components['schemas']['def-0'];
              runs: components['schemas']['def-1'][];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    /**
     * Replace a job's definition (a new version; earlier ones kept)
     * @description Send the whole definition, as to POST /jobs, with the same userId and uniqueId. A changed definition becomes a new version (GET /jobs/:id/versions keeps every one) and a recurring job's next fire times are recomputed from now (a pause is kept); runs already queued or under way keep the definition they were queued with, and no run is queued. A changed notify_url moves the job's own endpoint in the same transaction (same webhookId, same secret); a notify_url where the job had no endpoint makes one, answered in notify with its secret (shown only here); a removed notify_url disables the endpoint (its deliveries kept). An unchanged definition changes nothing: changed is false.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json':
            | {
                /** @description who owns the job: letters, digits, ".", "_", "@" and "-", up to 128 characters */
                userId: string;
                /** @description the caller's idempotency key within userId (letters, digits, '.', '_', '@', '-'; up to 128 characters); posting the same job again returns the existing one */
                uniqueId: string;
                /** @description the bucket inputs are read from and results are written to (S3 bucket naming rules) */
                s3_bucket: string;
                /** @description folder of the bucket whose objects become the inputs under /job/input/ ("" for the whole bucket; a leading "/" is dropped; ".." is refused) */
                source_s3_prefix: string;
                /** @description folder of the bucket that receives results, as <prefix>/<uniqueId>/<runId>/ (a leading "/" is dropped; ".." is refused) */
                destination_s3_prefix: string;
                /** @description the shell command to run in /job with /bin/sh, exactly as written (at most 16384 characters) but for ${TODAY} and ${NOW}, which each run gets filled in with the date and time of its fire (as in args and env values); give either command or image */
                command?: string;
                /** @description a prebuilt image to run as it is instead of a command: its entrypoint is kept and args is its command; no packages are installed (linux_dependencies and base_image do not apply). Pulled for each run unless the operator lists it as a local image; the service's own images (tds-run, tds-packages) and image ids are refused */
                image?: string;
                /** @description with image only: the image's command, as a list of arguments, or as a string run by the image's /bin/sh -c; omitted, the image's own CMD is used */
                args?: string[] | string;
                /** @description keep the last non-empty line of stdout as the run's result (at most TDS_MAX_RESULT_BYTES, 64 KiB unless the operator says otherwise), shown in the run view and run.json (default false) */
                capture_result?: boolean;
                /** @description packages installed with the base image's package manager (apt-get, apk, dnf or yum) */
                linux_dependencies?: string[];
                /** @description a cron expression (5 fields, or 6 with seconds first) to run the job on a schedule; omit to run once, now */
                cron?: string;
                /** @description IANA timezone the cron expression is read in, e.g. "Europe/Paris" (default UTC) */
                timezone?: string;
                /** @description when a fire time comes while the previous run is still queued or going: skip it (default, recorded), allow a second run alongside, queue_one (buffer one run to start when the previous ends), or replace (cancel the previous run) */
                overlap_policy?: 'skip' | 'allow' | 'queue_one' | 'replace';
                /** @description fire times missed while the service was down: run the latest one within the catch-up window (default), all of them within the window (up to catch_up_limit, one after another), or none; each missed time is recorded */
                catch_up_policy?: 'latest' | 'all' | 'skip';
                /** @description how far back a missed fire time may be and still be caught up (default 3600) */
                catch_up_window_seconds?: number;
                /** @description the most missed fire times caught up at once with catch_up_policy "all" (default 10) */
                catch_up_limit?: number;
                /** @description how many times a run may be attempted when it fails for infrastructure reasons (infra_error), or for a non-zero exit with retry_on_exit_code (default 3) */
                max_attempts?: number;
                /** @description also retry when the command exits non-zero (default false) */
                retry_on_exit_code?: boolean;
                /** @description wait before the second attempt, doubled for each further one, at most 600 s (default 10) */
                retry_backoff_seconds?: number;
                /** @description how long the command may run before it is stopped and the run ends timed_out */
                timeout_seconds?: number;
                /** @description CPU limit in cores, e.g. 0.5 */
                cpus?: number;
                /** @description memory limit in MiB */
                memory_mb?: number;
                /** @description GPUs the container is given: a count, or "all" of the worker's; the run is claimed only by a worker holding the "gpu" tag (its engine has the NVIDIA runtime, or its operator says so), which is added to requires; at most the service's TDS_USER_MAX_GPUS */
                gpus?: number | 'all';
                /** @description disk in MiB the run may fill in the folders it can write to (/job/output); a run that writes more is stopped and fails disk_limit_exceeded, with what it wrote uploaded (default: the service's TDS_DEFAULT_DISK_MB) */
                disk_mb?: number;
                /** @description environment variables for the command (names starting with TDS_ are reserved) */
                env?: {
                  [key: string]: string;
                };
                /** @description names of the user's secrets (PUT /secrets/NAME) the command gets as environment variables of those names, opened when each run starts: the values are never stored with the job, never in its image, and masked (***) in its logs; each must exist when the job is submitted */
                secrets?: string[];
                /** @description the base image of the job image (default: the service's TDS_BASE_IMAGE); pulled for each run unless the operator lists it as a local image, as for image */
                base_image?: string;
                /** @description how often CPU and memory are sampled into metrics.csv */
                metrics_interval_seconds?: number;
                /** @description the network the container is on: "none" (loopback only: no way in or out) or "bridge" (can reach the internet); default: the service's TDS_DEFAULT_NETWORK */
                network?: 'none' | 'bridge';
                /** @description an http(s) URL told when each of the job's runs ends (run.succeeded, run.failed, run.cancelled, run.timed_out), signed as webhooks are; its whsec_ secret is in the answer that creates the job, and only there */
                notify_url?: string;
                /** @description days after a run ends that its results folder in S3 (logs, outputs, metrics, run.json) is deleted, a whole number up to 36500; 0 keeps them for ever; omitted, the service's TDS_RESULTS_RETENTION_DAYS (default 0). Never later than the service's TDS_RETENTION_DAYS, when that is not 0. A workflow's value is its steps' */
                results_retention_days?: number;
                /** @description tags a worker must hold, every one of them, to run this job (a worker holds its TDS_WORKER_TAGS and its platform, e.g. "linux/arm64"); runs that no live worker can take stay queued and say what they wait for */
                requires?: string[];
              }
            | unknown
            | unknown;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              job: components['schemas']['def-0'];
              changed: boolean;
              version: number;
              /** @description when notify_url was added and the job had no endpoint for it */
              notify?: {
                webhookId: string;
                /** @description the notify_url's whsec_ signing secret: shown here only */
                secret: string;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    post?: never;
    /** Delete a job: no future runs, queued runs cancelled, its history kept and readable */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string;
              uniqueId: string;
              spec: {
                userId: string;
                uniqueId: string;
                s3_bucket: string;
                source_s3_prefix: string;
                destination_s3_prefix: string;
                /** @description the shell command; null when the job runs an image */
                command: string | null;
                /** @description the prebuilt image the job runs; null for a command */
                image: string | null;
                args: (string[] | string) | (never | null);
                /** @description files from a workflow's earlier steps, staged under /job/steps/<name>/ */
                step_inputs: {
                  name: string;
                  bucket: string;
                  prefix: string;
                  /** @description only this object under prefix (a fan-out step's manifest, items.jsonl) */
                  file?: string;
                }[];
                capture_result: boolean;
                linux_dependencies: string[];
                cron: string | null;
                timezone: string;
                overlap_policy: string;
                catch_up_policy: string;
                catch_up_window_seconds: number;
                catch_up_limit: number;
                max_attempts: number;
                retry_on_exit_code: boolean;
                retry_backoff_seconds: number;
                timeout_seconds: number;
                cpus: number;
                memory_mb: number;
                /** @description GPUs the container is given, a count or "all" (absent: none) */
                gpus?: number | 'all';
                /** @description disk in MiB the run may fill in /job/output (absent: TDS_DEFAULT_DISK_MB) */
                disk_mb?: number;
                env: {
                  [key: string]: string;
                };
                /** @description a fan-out item's run only: why it could not run (a {{item.FIELD}} the item lacks, or a refused image filled from it), found when it was queued; the run failed with it (input_error) without running */
                item_problem?: string;
                /** @description names of the user's secrets given to the command as environment variables (never their values) */
                secrets?: string[];
                base_image: string;
                metrics_interval_seconds: number;
                /** @description none or bridge */
                network?: string;
                notify_url?: string;
                /** @description tags the worker must hold */
                requires?: string[];
              };
              schedule: {
                cron: string;
                timezone: string;
                /** @description the schedule in words */
                description: string;
                overlapPolicy: string;
                catchUpPolicy: string;
                catchUpWindowSeconds: number;
                catchUpLimit: number;
                paused?: boolean;
                nextFireTimes?: string[];
                /** Format: date-time */
                lastFireAt?: string | null;
                recentFires?: {
                  /** Format: date-time */
                  fireAt: string;
                  /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                  outcome: string;
                  runId: string | null;
                  /** @description a workflow's fire time: the workflow run it started */
                  workflowRunId?: string;
                  detail: string | null;
                }[];
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** Format: date-time */
              deletedAt: string | null;
              /** @description how many definitions the job has had: 1, then one more for each change (PUT, PATCH) */
              version: number;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    /**
     * Change a job's schedule: cron expression, timezone, overlap or catch-up policy
     * @description The next fire times are recomputed from now. Runs already queued or under way are left as they are.
     */
    patch: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description a cron expression (5 fields, or 6 with seconds first) to run the job on a schedule; omit to run once, now */
            cron?: string;
            /** @description IANA timezone the cron expression is read in, e.g. "Europe/Paris" (default UTC) */
            timezone?: string;
            /** @description when a fire time comes while the previous run is still queued or going: skip it (default, recorded), allow a second run alongside, queue_one (buffer one run to start when the previous ends), or replace (cancel the previous run) */
            overlap_policy?: 'skip' | 'allow' | 'queue_one' | 'replace';
            /** @description fire times missed while the service was down: run the latest one within the catch-up window (default), all of them within the window (up to catch_up_limit, one after another), or none; each missed time is recorded */
            catch_up_policy?: 'latest' | 'all' | 'skip';
            /** @description how far back a missed fire time may be and still be caught up (default 3600) */
            catch_up_window_seconds?: number;
            /** @description the most missed fire times caught up at once with catch_up_policy "all" (default 10) */
            catch_up_limit?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string;
              uniqueId: string;
              spec: {
                userId: string;
                uniqueId: string;
                s3_bucket: string;
                source_s3_prefix: string;
                destination_s3_prefix: string;
                /** @description the shell command; null when the job runs an image */
                command: string | null;
                /** @description the prebuilt image the job runs; null for a command */
                image: string | null;
                args: (string[] | string) | (never | null);
                /** @description files from a workflow's earlier steps, staged under /job/steps/<name>/ */
                step_inputs: {
                  name: string;
                  bucket: string;
                  prefix: string;
                  /** @description only this object under prefix (a fan-out step's manifest, items.jsonl) */
                  file?: string;
                }[];
                capture_result: boolean;
                linux_dependencies: string[];
                cron: string | null;
                timezone: string;
                overlap_policy: string;
                catch_up_policy: string;
                catch_up_window_seconds: number;
                catch_up_limit: number;
                max_attempts: number;
                retry_on_exit_code: boolean;
                retry_backoff_seconds: number;
                timeout_seconds: number;
                cpus: number;
                memory_mb: number;
                /** @description GPUs the container is given, a count or "all" (absent: none) */
                gpus?: number | 'all';
                /** @description disk in MiB the run may fill in /job/output (absent: TDS_DEFAULT_DISK_MB) */
                disk_mb?: number;
                env: {
                  [key: string]: string;
                };
                /** @description a fan-out item's run only: why it could not run (a {{item.FIELD}} the item lacks, or a refused image filled from it), found when it was queued; the run failed with it (input_error) without running */
                item_problem?: string;
                /** @description names of the user's secrets given to the command as environment variables (never their values) */
                secrets?: string[];
                base_image: string;
                metrics_interval_seconds: number;
                /** @description none or bridge */
                network?: string;
                notify_url?: string;
                /** @description tags the worker must hold */
                requires?: string[];
              };
              schedule: {
                cron: string;
                timezone: string;
                /** @description the schedule in words */
                description: string;
                overlapPolicy: string;
                catchUpPolicy: string;
                catchUpWindowSeconds: number;
                catchUpLimit: number;
                paused?: boolean;
                nextFireTimes?: string[];
                /** Format: date-time */
                lastFireAt?: string | null;
                recentFires?: {
                  /** Format: date-time */
                  fireAt: string;
                  /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                  outcome: string;
                  runId: string | null;
                  /** @description a workflow's fire time: the workflow run it started */
                  workflowRunId?: string;
                  detail: string | null;
                }[];
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** Format: date-time */
              deletedAt: string | null;
              /** @description how many definitions the job has had: 1, then one more for each change (PUT, PATCH) */
              version: number;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    trace?: never;
  };
  '/jobs/{id}/versions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every definition a job has had, newest first, a page at a time */
    get: {
      parameters: {
        query?: {
          /** @description versions in the page (default 10, at most 50) */
          limit?: number;
          /** @description nextCursor of the previous page */
          cursor?: string;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description pass as cursor for the next page; null on the last */
              nextCursor: string | null;
              versions: {
                version: number;
                current: boolean;
                /** Format: date-time */
                replacedAt: string | null;
                spec: {
                  userId: string;
                  uniqueId: string;
                  s3_bucket: string;
                  source_s3_prefix: string;
                  destination_s3_prefix: string;
                  /** @description the shell command; null when the job runs an image */
                  command: string | null;
                  /** @description the prebuilt image the job runs; null for a command */
                  image: string | null;
                  args: (string[] | string) | (never | null);
                  /** @description files from a workflow's earlier steps, staged under /job/steps/<name>/ */
                  step_inputs: {
                    name: string;
                    bucket: string;
                    prefix: string;
                    /** @description only this object under prefix (a fan-out step's manifest, items.jsonl) */
                    file?: string;
                  }[];
                  capture_result: boolean;
                  linux_dependencies: string[];
                  cron: string | null;
                  timezone: string;
                  overlap_policy: string;
                  catch_up_policy: string;
                  catch_up_window_seconds: number;
                  catch_up_limit: number;
                  max_attempts: number;
                  retry_on_exit_code: boolean;
                  retry_backoff_seconds: number;
                  timeout_seconds: number;
                  cpus: number;
                  memory_mb: number;
                  /** @description GPUs the container is given, a count or "all" (absent: none) */
                  gpus?: number | 'all';
                  /** @description disk in MiB the run may fill in /job/output (absent: TDS_DEFAULT_DISK_MB) */
                  disk_mb?: number;
                  env: {
                    [key: string]: string;
                  };
                  /** @description a fan-out item's run only: why it could not run (a {{item.FIELD}} the item lacks, or a refused image filled from it), found when it was queued; the run failed with it (input_error) without running */
                  item_problem?: string;
                  /** @description names of the user's secrets given to the command as environment variables (never their values) */
                  secrets?: string[];
                  base_image: string;
                  metrics_interval_seconds: number;
                  /** @description none or bridge */
                  network?: string;
                  notify_url?: string;
                  /** @description tags the worker must hold */
                  requires?: string[];
                };
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List API keys (never the keys themselves) */
    get: {
      parameters: {
        query?: {
          userId?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              keys: {
                /** Format: uuid */
                id: string;
                userId: string | null;
                operator: boolean;
                name: string;
                /** @description the first characters of the key */
                hint: string;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastUsedAt: string | null;
                /** Format: date-time */
                revokedAt: string | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    /**
     * Create an API key for a user, or an operator key
     * @description The key is in this response only; the service keeps a hash of it.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            userId?: string;
            operator?: boolean;
            name?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              key: string;
              apiKey: {
                /** Format: uuid */
                id: string;
                userId: string | null;
                operator: boolean;
                name: string;
                /** @description the first characters of the key */
                hint: string;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastUsedAt: string | null;
                /** Format: date-time */
                revokedAt: string | null;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke an API key at once */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string | null;
              operator: boolean;
              name: string;
              /** @description the first characters of the key */
              hint: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              lastUsedAt: string | null;
              /** Format: date-time */
              revokedAt: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Users with settings: allow-lists and ceilings */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              users: {
                userId: string;
                allowedBuckets: string[];
                ceilings: {
                  maxCpus: number | null;
                  maxMemoryMb: number | null;
                  maxTimeoutSeconds: number | null;
                  maxConcurrentRuns: number | null;
                };
                effectiveCeilings: {
                  maxCpus: number;
                  maxMemoryMb: number;
                  maxTimeoutSeconds: number;
                  maxConcurrentRuns: number;
                };
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/users/{userId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A user's bucket allow-list and ceilings */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          userId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              userId: string;
              allowedBuckets: string[];
              ceilings: {
                maxCpus: number | null;
                maxMemoryMb: number | null;
                maxTimeoutSeconds: number | null;
                maxConcurrentRuns: number | null;
              };
              effectiveCeilings: {
                maxCpus: number;
                maxMemoryMb: number;
                maxTimeoutSeconds: number;
                maxConcurrentRuns: number;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    /**
     * Set a user's bucket allow-list and ceilings
     * @description Fields left out keep their value; a ceiling set to null falls back to the operator default.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          userId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description the whole list: entries "bucket" or "bucket/prefix/" */
            allowedBuckets?: string[];
            maxCpus?: number | null;
            maxMemoryMb?: number | null;
            maxTimeoutSeconds?: number | null;
            maxConcurrentRuns?: number | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              userId: string;
              allowedBuckets: string[];
              ceilings: {
                maxCpus: number | null;
                maxMemoryMb: number | null;
                maxTimeoutSeconds: number | null;
                maxConcurrentRuns: number | null;
              };
              effectiveCeilings: {
                maxCpus: number;
                maxMemoryMb: number;
                maxTimeoutSeconds: number;
                maxConcurrentRuns: number;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The audit log, newest first, a page at a time
     * @description Every operator and owner action: API keys, users' settings, workers' drains, definitions, runs cancelled or retried, webhook endpoints, secrets (names only). An operator key reads every row; a user key the rows about its user's own things.
     */
    get: {
      parameters: {
        query?: {
          /** @description recorded at or after (ISO 8601) */
          from?: string;
          /** @description recorded before (ISO 8601) */
          to?: string;
          /** @description a key id, or a user (their keys) */
          actor?: string;
          /** @description an action (job.paused), or every action on a kind (job.*) */
          action?: string;
          /** @description the id of the thing acted on */
          target?: string;
          /** @description nextCursor of the previous page */
          cursor?: string;
          /** @description rows in the page (default 50, at most TDS_AUDIT_PAGE_MAX: 200) */
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              entries: {
                /** @description the row, in the order actions were recorded */
                id: string;
                /**
                 * Format: date-time
                 * @description when, by the database's clock
                 */
                at: string;
                actor: {
                  /** @description operator, user, local (authentication off), cli (npm run keys) */
                  kind: string;
                  /** @description the API key's id, never the key */
                  keyId: string | null;
                  /** @description a user key's user; the machine's account for the keys CLI */
                  userId: string | null;
                  /** @description the client address as the API sees it (TDS_TRUST_PROXY); the host for the keys CLI */
                  address: string | null;
                };
                /** @description api_key.created, api_key.revoked, user.settings_changed, worker.drained, worker.undrained, worker.retired, job.created, job.updated, job.schedule_changed, job.paused, job.resumed, job.triggered, job.backfilled, job.deleted, workflow.created, workflow.updated, workflow.schedule_changed, workflow.paused, workflow.resumed, workflow.triggered, workflow.backfilled, workflow.deleted, run.cancelled, workflow_run.cancelled, workflow_run.retried, webhook.created, webhook.secret_rotated, webhook.enabled, webhook.disabled, webhook.deleted, webhook.redelivered, secret.set, secret.deleted */
                action: string;
                target: {
                  kind: string;
                  id: string;
                };
                /** @description the user whose thing was acted on */
                ownerId: string | null;
                /** @description what changed, bounded to 2 KB; never a key or a secret value */
                summary: {
                  [key: string]: unknown;
                };
              }[];
              nextCursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/workers': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The fleet: every worker known, live ones first */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              workers: components['schemas']['def-2'][];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/workers/{id}/drain': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Drain a worker: it claims no new run and finishes those it holds
     * @description The worker claims no run from now on (its claims check the drain); runs it holds run to their end. Once drained (runsInHand 0) it idles, heartbeating, until undrained; the drain outlives restarts of the worker.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description the worker's id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the worker's TDS_WORKER_ID */
              id: string;
              /** @description the host name of the machine (or container) it runs on */
              host: string;
              /** @description TDS_WORKER_TAGS and its platform */
              tags: string[];
              /** @description its Docker engine's platform, e.g. linux/amd64 */
              platform: string;
              /** @description the version of the service it runs */
              version: string;
              /** @description runs it takes on at once (TDS_MAX_CONCURRENT_RUNS) */
              capacity: number;
              /** @description CPUs its runs under way may ask for together (TDS_WORKER_CPUS, else its engine's); null for a worker of an earlier release */
              cpus: number | null;
              /** @description memory (MiB) its runs under way may ask for together (TDS_WORKER_MEMORY_MB, else its engine's); null for a worker of an earlier release */
              memoryMb: number | null;
              /** @description runs it is staging, building, running or uploading now */
              runsInHand: number;
              /** @description active: claims runs; draining: claims none and finishes what it holds (drained once runsInHand is 0); gone: stopped, or no heartbeat for TDS_LEASE_MS (its runs are taken over) */
              state: 'active' | 'draining' | 'gone';
              /** @description draining and holding no run: it may be stopped or upgraded */
              drained: boolean;
              /** Format: date-time */
              startedAt: string;
              /** Format: date-time */
              lastHeartbeatAt: string;
              /** Format: date-time */
              stoppedAt: string | null;
              /** Format: date-time */
              drainRequestedAt: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/workers/{id}/undrain': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Undrain a worker: it claims runs again */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description the worker's id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the worker's TDS_WORKER_ID */
              id: string;
              /** @description the host name of the machine (or container) it runs on */
              host: string;
              /** @description TDS_WORKER_TAGS and its platform */
              tags: string[];
              /** @description its Docker engine's platform, e.g. linux/amd64 */
              platform: string;
              /** @description the version of the service it runs */
              version: string;
              /** @description runs it takes on at once (TDS_MAX_CONCURRENT_RUNS) */
              capacity: number;
              /** @description CPUs its runs under way may ask for together (TDS_WORKER_CPUS, else its engine's); null for a worker of an earlier release */
              cpus: number | null;
              /** @description memory (MiB) its runs under way may ask for together (TDS_WORKER_MEMORY_MB, else its engine's); null for a worker of an earlier release */
              memoryMb: number | null;
              /** @description runs it is staging, building, running or uploading now */
              runsInHand: number;
              /** @description active: claims runs; draining: claims none and finishes what it holds (drained once runsInHand is 0); gone: stopped, or no heartbeat for TDS_LEASE_MS (its runs are taken over) */
              state: 'active' | 'draining' | 'gone';
              /** @description draining and holding no run: it may be stopped or upgraded */
              drained: boolean;
              /** Format: date-time */
              startedAt: string;
              /** Format: date-time */
              lastHeartbeatAt: string;
              /** Format: date-time */
              stoppedAt: string | null;
              /** Format: date-time */
              drainRequestedAt: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/admin/workers/{id}/retire': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Retire a worker that is gone without having stopped (it died, its host is lost)
     * @description Records the worker stopped, so the fleet shows it stopped and tds_worker_heartbeat_age_seconds no longer counts it (TdsWorkerHeartbeatStale clears). Only a worker silent for TDS_LEASE_MS: a live one is refused with 409. Its runs are taken over as ever once its lease lapses; if it starts again it is live again. A stopped worker is answered as it is.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description the worker's id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the worker's TDS_WORKER_ID */
              id: string;
              /** @description the host name of the machine (or container) it runs on */
              host: string;
              /** @description TDS_WORKER_TAGS and its platform */
              tags: string[];
              /** @description its Docker engine's platform, e.g. linux/amd64 */
              platform: string;
              /** @description the version of the service it runs */
              version: string;
              /** @description runs it takes on at once (TDS_MAX_CONCURRENT_RUNS) */
              capacity: number;
              /** @description CPUs its runs under way may ask for together (TDS_WORKER_CPUS, else its engine's); null for a worker of an earlier release */
              cpus: number | null;
              /** @description memory (MiB) its runs under way may ask for together (TDS_WORKER_MEMORY_MB, else its engine's); null for a worker of an earlier release */
              memoryMb: number | null;
              /** @description runs it is staging, building, running or uploading now */
              runsInHand: number;
              /** @description active: claims runs; draining: claims none and finishes what it holds (drained once runsInHand is 0); gone: stopped, or no heartbeat for TDS_LEASE_MS (its runs are taken over) */
              state: 'active' | 'draining' | 'gone';
              /** @description draining and holding no run: it may be stopped or upgraded */
              drained: boolean;
              /** Format: date-time */
              startedAt: string;
              /** Format: date-time */
              lastHeartbeatAt: string;
              /** Format: date-time */
              stoppedAt: string | null;
              /** Format: date-time */
              drainRequestedAt: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{id}/pause': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Pause a recurring job: no fire time is acted on until it is resumed */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string;
              uniqueId: string;
              spec: {
                userId: string;
                uniqueId: string;
                s3_bucket: string;
                source_s3_prefix: string;
                destination_s3_prefix: string;
                /** @description the shell command; null when the job runs an image */
                command: string | null;
                /** @description the prebuilt image the job runs; null for a command */
                image: string | null;
                args: (string[] | string) | (never | null);
                /** @description files from a workflow's earlier steps, staged under /job/steps/<name>/ */
                step_inputs: {
                  name: string;
                  bucket: string;
                  prefix: string;
                  /** @description only this object under prefix (a fan-out step's manifest, items.jsonl) */
                  file?: string;
                }[];
                capture_result: boolean;
                linux_dependencies: string[];
                cron: string | null;
                timezone: string;
                overlap_policy: string;
                catch_up_policy: string;
                catch_up_window_seconds: number;
                catch_up_limit: number;
                max_attempts: number;
                retry_on_exit_code: boolean;
                retry_backoff_seconds: number;
                timeout_seconds: number;
                cpus: number;
                memory_mb: number;
                /** @description GPUs the container is given, a count or "all" (absent: none) */
                gpus?: number | 'all';
                /** @description disk in MiB the run may fill in /job/output (absent: TDS_DEFAULT_DISK_MB) */
                disk_mb?: number;
                env: {
                  [key: string]: string;
                };
                /** @description a fan-out item's run only: why it could not run (a {{item.FIELD}} the item lacks, or a refused image filled from it), found when it was queued; the run failed with it (input_error) without running */
                item_problem?: string;
                /** @description names of the user's secrets given to the command as environment variables (never their values) */
                secrets?: string[];
                base_image: string;
                metrics_interval_seconds: number;
                /** @description none or bridge */
                network?: string;
                notify_url?: string;
                /** @description tags the worker must hold */
                requires?: string[];
              };
              schedule: {
                cron: string;
                timezone: string;
                /** @description the schedule in words */
                description: string;
                overlapPolicy: string;
                catchUpPolicy: string;
                catchUpWindowSeconds: number;
                catchUpLimit: number;
                paused?: boolean;
                nextFireTimes?: string[];
                /** Format: date-time */
                lastFireAt?: string | null;
                recentFires?: {
                  /** Format: date-time */
                  fireAt: string;
                  /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                  outcome: string;
                  runId: string | null;
                  /** @description a workflow's fire time: the workflow run it started */
                  workflowRunId?: string;
                  detail: string | null;
                }[];
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** Format: date-time */
              deletedAt: string | null;
              /** @description how many definitions the job has had: 1, then one more for each change (PUT, PATCH) */
              version: number;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{id}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Resume a paused job from its next fire time (fire times while paused are not caught up) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string;
              uniqueId: string;
              spec: {
                userId: string;
                uniqueId: string;
                s3_bucket: string;
                source_s3_prefix: string;
                destination_s3_prefix: string;
                /** @description the shell command; null when the job runs an image */
                command: string | null;
                /** @description the prebuilt image the job runs; null for a command */
                image: string | null;
                args: (string[] | string) | (never | null);
                /** @description files from a workflow's earlier steps, staged under /job/steps/<name>/ */
                step_inputs: {
                  name: string;
                  bucket: string;
                  prefix: string;
                  /** @description only this object under prefix (a fan-out step's manifest, items.jsonl) */
                  file?: string;
                }[];
                capture_result: boolean;
                linux_dependencies: string[];
                cron: string | null;
                timezone: string;
                overlap_policy: string;
                catch_up_policy: string;
                catch_up_window_seconds: number;
                catch_up_limit: number;
                max_attempts: number;
                retry_on_exit_code: boolean;
                retry_backoff_seconds: number;
                timeout_seconds: number;
                cpus: number;
                memory_mb: number;
                /** @description GPUs the container is given, a count or "all" (absent: none) */
                gpus?: number | 'all';
                /** @description disk in MiB the run may fill in /job/output (absent: TDS_DEFAULT_DISK_MB) */
                disk_mb?: number;
                env: {
                  [key: string]: string;
                };
                /** @description a fan-out item's run only: why it could not run (a {{item.FIELD}} the item lacks, or a refused image filled from it), found when it was queued; the run failed with it (input_error) without running */
                item_problem?: string;
                /** @description names of the user's secrets given to the command as environment variables (never their values) */
                secrets?: string[];
                base_image: string;
                metrics_interval_seconds: number;
                /** @description none or bridge */
                network?: string;
                notify_url?: string;
                /** @description tags the worker must hold */
                requires?: string[];
              };
              schedule: {
                cron: string;
                timezone: string;
                /** @description the schedule in words */
                description: string;
                overlapPolicy: string;
                catchUpPolicy: string;
                catchUpWindowSeconds: number;
                catchUpLimit: number;
                paused?: boolean;
                nextFireTimes?: string[];
                /** Format: date-time */
                lastFireAt?: string | null;
                recentFires?: {
                  /** Format: date-time */
                  fireAt: string;
                  /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                  outcome: string;
                  runId: string | null;
                  /** @description a workflow's fire time: the workflow run it started */
                  workflowRunId?: string;
                  detail: string | null;
                }[];
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** Format: date-time */
              deletedAt: string | null;
              /** @description how many definitions the job has had: 1, then one more for each change (PUT, PATCH) */
              version: number;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{id}/trigger': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Run a job now, whatever its schedule; optionally with other env values or another input prefix
     * @description The body is optional: `env` is merged over the job's for this run, `source_s3_prefix` replaces its input folder. Checked as a submitted job's fields are (400 naming the field); the run records them as `overrides`.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      /** @description what this run changes of its definition; an empty body (or none) runs it as defined */
      requestBody: {
        content: {
          'application/json': {
            /** @description environment variables merged over the definition's (and each step's) for this run only, by the rules of a definition's env: names starting with TDS_ are reserved, and a secret's name cannot be replaced */
            env?: {
              [key: string]: string;
            };
            /** @description another folder of the definition's bucket whose objects become the inputs of this run (of every step of a workflow run); "" for the whole bucket; a leading "/" is dropped, ".." is refused */
            source_s3_prefix?: string;
            /** @description a workflow's declared params for this run: NAME → value of its type (a number, boolean or list may also be given as text, as `tds trigger --set` sends it); params not given take their defaults */
            params?: {
              [key: string]: unknown;
            };
          } | null;
        };
      };
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /**
               * Format: uuid
               * @description the run's job; null for a workflow's step
               */
              jobId: string | null;
              /**
               * Format: uuid
               * @description the workflow run a step belongs to; null for a job run
               */
              workflowRunId: string | null;
              /** @description the workflow step this run is; null for a job run */
              stepName: string | null;
              /** @description a fan-out step's item this run is; null otherwise */
              itemIndex: number | null;
              /** @enum {unknown} */
              state:
                | 'queued'
                | 'staging'
                | 'building'
                | 'running'
                | 'uploading'
                | 'succeeded'
                | 'failed'
                | 'cancelled'
                | 'timed_out';
              /** @description submit, schedule, catch_up, manual, retry, workflow or backfill */
              trigger: string;
              /** Format: date-time */
              scheduledFor: string | null;
              /** @description what the trigger changed of the definition for this run; null when it ran as defined */
              overrides: {
                /** @description merged over the definition's env */
                env?: {
                  [key: string]: string;
                };
                /** @description used instead of the definition's */
                source_s3_prefix?: string;
              } | null;
              /** @description which attempt of the job this is: 1, or more for a retry */
              attempt: number;
              /** @description the failed run this one retries */
              retryOf: string | null;
              /**
               * Format: date-time
               * @description a retry waits until then
               */
              notBefore: string | null;
              exitCode: number | null;
              failure: {
                /** @description input_error, build_error, image_error, exit_code, timeout, limit_exceeded, disk_limit_exceeded, result_too_large, upload_error, infra_error, not_allowed or cancelled */
                reason: string;
                message: string;
              } | null;
              /** @description with capture_result: the last non-empty line of stdout (a trailing carriage return left out); null otherwise */
              result: string | null;
              cancelRequested: boolean;
              workerId: string | null;
              image: string | null;
              timings: {
                /** Format: date-time */
                queuedAt: string | null;
                /** Format: date-time */
                claimedAt: string | null;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
                /** Format: date-time */
                finishedAt: string | null;
                /** Format: date-time */
                deadlineAt: string | null;
              };
              results: {
                bucket: string;
                prefix: string;
                /** @description s3:// address of the folder holding this run's results */
                uri: string;
                /** @description the files a run writes there (output/ holds the outputs); none once they expired */
                files: string[];
                /**
                 * Format: date-time
                 * @description when the folder was deleted, its results period (the job's or workflow's results_retention_days, else TDS_RESULTS_RETENTION_DAYS) over; null while it is kept
                 */
                expiredAt: string | null;
              };
              /** @description only for a run whose job has `requires`: while it is queued and no live, undrained worker can take it, the required tags the closest such worker lacks (all of them when no worker is claiming); null otherwise */
              waiting_for?: string[] | null;
              /** @description only while the run is queued: when it asks for more CPUs (`cpus`) or memory (`memory_mb`) than any live, undrained worker able to take it offers in all (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB), says so; null otherwise */
              waiting_reason?: string | null;
              history?: {
                state: string;
                /** Format: date-time */
                at: string;
                detail: unknown;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{id}/backfill': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Queue a run for each fire time of a recurring job's cron in a past period [from, to)
     * @description Each run has its fire time as `scheduledFor` (its ${TODAY}, TDS_SCHEDULED_FOR and TDS_RUN_DATE are that fire's). Under overlap policy `allow` they run side by side, otherwise one after another. At most TDS_BACKFILL_MAX_RUNS fire times; `to` may not be after now. `?dry_run=true` lists the fire times and queues nothing.
     */
    post: {
      parameters: {
        query?: {
          /** @description list the fire times of the period without queuing anything (200) */
          dry_run?: boolean;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description the start of the period, an ISO 8601 instant with its offset, such as 2026-03-01T00:00:00Z (a fire time at it is included) */
            from: string;
            /** @description the end of the period, an ISO 8601 instant with its offset, not after now (a fire time at it is left out) */
            to: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              dryRun: boolean;
              /** Format: date-time */
              from: string;
              /** Format: date-time */
              to: string;
              /** @description fire times in [from, to) */
              count: number;
              /** @description one per fire time, oldest first */
              runs: {
                /** @description the run (of a job) or workflow run (of a workflow) queued for this fire time; null in a dry run */
                id: string | null;
                /**
                 * Format: date-time
                 * @description the fire time, its scheduledFor
                 */
                scheduledFor: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              dryRun: boolean;
              /** Format: date-time */
              from: string;
              /** Format: date-time */
              to: string;
              /** @description fire times in [from, to) */
              count: number;
              /** @description one per fire time, oldest first */
              runs: {
                /** @description the run (of a job) or workflow run (of a workflow) queued for this fire time; null in a dry run */
                id: string | null;
                /**
                 * Format: date-time
                 * @description the fire time, its scheduledFor
                 */
                scheduledFor: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A run: state, timings, exit code, failure reason, where its results are, and its history */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /**
               * Format: uuid
               * @description the run's job; null for a workflow's step
               */
              jobId: string | null;
              /**
               * Format: uuid
               * @description the workflow run a step belongs to; null for a job run
               */
              workflowRunId: string | null;
              /** @description the workflow step this run is; null for a job run */
              stepName: string | null;
              /** @description a fan-out step's item this run is; null otherwise */
              itemIndex: number | null;
              /** @enum {unknown} */
              state:
                | 'queued'
                | 'staging'
                | 'building'
                | 'running'
                | 'uploading'
                | 'succeeded'
                | 'failed'
                | 'cancelled'
                | 'timed_out';
              /** @description submit, schedule, catch_up, manual, retry, workflow or backfill */
              trigger: string;
              /** Format: date-time */
              scheduledFor: string | null;
              /** @description what the trigger changed of the definition for this run; null when it ran as defined */
              overrides: {
                /** @description merged over the definition's env */
                env?: {
                  [key: string]: string;
                };
                /** @description used instead of the definition's */
                source_s3_prefix?: string;
              } | null;
              /** @description which attempt of the job this is: 1, or more for a retry */
              attempt: number;
              /** @description the failed run this one retries */
              retryOf: string | null;
              /**
               * Format: date-time
               * @description a retry waits until then
               */
              notBefore: string | null;
              exitCode: number | null;
              failure: {
                /** @description input_error, build_error, image_error, exit_code, timeout, limit_exceeded, disk_limit_exceeded, result_too_large, upload_error, infra_error, not_allowed or cancelled */
                reason: string;
                message: string;
              } | null;
              /** @description with capture_result: the last non-empty line of stdout (a trailing carriage return left out); null otherwise */
              result: string | null;
              cancelRequested: boolean;
              workerId: string | null;
              image: string | null;
              timings: {
                /** Format: date-time */
                queuedAt: string | null;
                /** Format: date-time */
                claimedAt: string | null;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
                /** Format: date-time */
                finishedAt: string | null;
                /** Format: date-time */
                deadlineAt: string | null;
              };
              results: {
                bucket: string;
                prefix: string;
                /** @description s3:// address of the folder holding this run's results */
                uri: string;
                /** @description the files a run writes there (output/ holds the outputs); none once they expired */
                files: string[];
                /**
                 * Format: date-time
                 * @description when the folder was deleted, its results period (the job's or workflow's results_retention_days, else TDS_RESULTS_RETENTION_DAYS) over; null while it is kept
                 */
                expiredAt: string | null;
              };
              /** @description only for a run whose job has `requires`: while it is queued and no live, undrained worker can take it, the required tags the closest such worker lacks (all of them when no worker is claiming); null otherwise */
              waiting_for?: string[] | null;
              /** @description only while the run is queued: when it asks for more CPUs (`cpus`) or memory (`memory_mb`) than any live, undrained worker able to take it offers in all (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB), says so; null otherwise */
              waiting_reason?: string | null;
              history?: {
                state: string;
                /** Format: date-time */
                at: string;
                detail: unknown;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{id}/logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A run's stdout and stderr: live while it runs, stored once it has ended */
    get: {
      parameters: {
        query?: {
          /** @description at most this many bytes of each stream, from the end */
          tailBytes?: number;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              runId: string;
              state: string;
              source: 'live' | 'stored' | 'none';
              stdout: string;
              stderr: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a run
     * @description A queued run is cancelled at once. A started run is stopped by its worker; the logs, outputs and metrics up to that point are uploaded and the run ends cancelled.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /**
               * Format: uuid
               * @description the run's job; null for a workflow's step
               */
              jobId: string | null;
              /**
               * Format: uuid
               * @description the workflow run a step belongs to; null for a job run
               */
              workflowRunId: string | null;
              /** @description the workflow step this run is; null for a job run */
              stepName: string | null;
              /** @description a fan-out step's item this run is; null otherwise */
              itemIndex: number | null;
              /** @enum {unknown} */
              state:
                | 'queued'
                | 'staging'
                | 'building'
                | 'running'
                | 'uploading'
                | 'succeeded'
                | 'failed'
                | 'cancelled'
                | 'timed_out';
              /** @description submit, schedule, catch_up, manual, retry, workflow or backfill */
              trigger: string;
              /** Format: date-time */
              scheduledFor: string | null;
              /** @description what the trigger changed of the definition for this run; null when it ran as defined */
              overrides: {
                /** @description merged over the definition's env */
                env?: {
                  [key: string]: string;
                };
                /** @description used instead of the definition's */
                source_s3_prefix?: string;
              } | null;
              /** @description which attempt of the job this is: 1, or more for a retry */
              attempt: number;
              /** @description the failed run this one retries */
              retryOf: string | null;
              /**
               * Format: date-time
               * @description a retry waits until then
               */
              notBefore: string | null;
              exitCode: number | null;
              failure: {
                /** @description input_error, build_error, image_error, exit_code, timeout, limit_exceeded, disk_limit_exceeded, result_too_large, upload_error, infra_error, not_allowed or cancelled */
                reason: string;
                message: string;
              } | null;
              /** @description with capture_result: the last non-empty line of stdout (a trailing carriage return left out); null otherwise */
              result: string | null;
              cancelRequested: boolean;
              workerId: string | null;
              image: string | null;
              timings: {
                /** Format: date-time */
                queuedAt: string | null;
                /** Format: date-time */
                claimedAt: string | null;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
                /** Format: date-time */
                finishedAt: string | null;
                /** Format: date-time */
                deadlineAt: string | null;
              };
              results: {
                bucket: string;
                prefix: string;
                /** @description s3:// address of the folder holding this run's results */
                uri: string;
                /** @description the files a run writes there (output/ holds the outputs); none once they expired */
                files: string[];
                /**
                 * Format: date-time
                 * @description when the folder was deleted, its results period (the job's or workflow's results_retention_days, else TDS_RESULTS_RETENTION_DAYS) over; null while it is kept
                 */
                expiredAt: string | null;
              };
              /** @description only for a run whose job has `requires`: while it is queued and no live, undrained worker can take it, the required tags the closest such worker lacks (all of them when no worker is claiming); null otherwise */
              waiting_for?: string[] | null;
              /** @description only while the run is queued: when it asks for more CPUs (`cpus`) or memory (`memory_mb`) than any live, undrained worker able to take it offers in all (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB), says so; null otherwise */
              waiting_reason?: string | null;
              history?: {
                state: string;
                /** Format: date-time */
                at: string;
                detail: unknown;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{id}/log-stream': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A run's log as Server-Sent Events, live while it runs and stored after, resumable
     * @description Each event is one line: `event: stdout` or `stderr`, `data:` the line without its newline, and `id:` a cursor that resumes just after that line. Reconnect with the `Last-Event-ID` header (browsers do so by themselves) or `?after=<cursor>` to get the following lines, none lost or repeated. While the run runs the lines come from its container; once it has ended, from its stored stdout.log and stderr.log (stdout first). A final `event: end` with `data: {"state": …}` closes the stream once the run has ended and every line was sent. A `\r` in a line arrives as a line break inside the event.
     */
    get: {
      parameters: {
        query?: {
          /** @description a cursor (an event id) to resume after */
          after?: string;
        };
        header?: {
          'last-event-id'?: string;
        };
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description a stream of Server-Sent Events */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/event-stream': string;
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{id}/log-search': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The lines of a run's stored log that contain a text, with their line numbers
     * @description Reads the whole stored log (stdout.log, then stderr.log) from the store a line at a time and answers the lines that contain `q` as plain text (no pattern), at most TDS_LOG_SEARCH_MAX_MATCHES of them: past that `truncated` is true and the search stopped there. A line is numbered from 1 in its stream, as `GET /runs/:id/log-stream` counts it: `?after=o<N-1>e0` (stdout) or `?after=o<all of stdout>e<N-1>` (stderr) streams the log from that line on. A run that has not ended has no stored log yet: `stored` is false and `message` says to follow it with the log stream. A search counts among the open streams of the caller while it reads (TDS_STREAMS_PER_USER).
     */
    get: {
      parameters: {
        query: {
          /** @description the text to look for, at most TDS_LOG_SEARCH_MAX_PATTERN_CHARS characters */
          q: string;
          /** @description match upper and lower case alike */
          ignoreCase?: boolean;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              runId: string;
              state: string;
              q: string;
              ignoreCase: boolean;
              matches: {
                stream: 'stdout' | 'stderr';
                /** @description the line number in its stream, from 1 */
                line: number;
                /** @description where the first match starts, from 1 */
                column: number;
                /** @description the line (without its newline); a line over 1,000 characters: 1,000 of them around the match */
                text: string;
                /** @description `text` is part of a longer line */
                cut: boolean;
              }[];
              /** @description false while the run has not ended: no log is stored yet, `message` says what to do */
              stored: boolean;
              message?: string;
              /** @description more lines matched than TDS_LOG_SEARCH_MAX_MATCHES: the list stops at the limit */
              truncated: boolean;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{id}/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A run's CPU and memory samples: live from its container while it runs, stored after */
    get: {
      parameters: {
        query?: {
          /** @description only the samples taken after this many seconds (the last `elapsed` seen), to grow a chart */
          sinceElapsed?: number;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              source: 'live' | 'stored' | 'none';
              /** @description `service`: read from the Docker engine by the worker, the figures recorded for the run; `job`: the sampler inside the running container, whose file the job can write (shown live, never recorded) */
              writtenBy: 'service' | 'job' | (never | null);
              /** @description at most TDS_METRICS_MAX_POINTS points: past it each stands for `samplesPerPoint` samples, with the first one's time and their peaks */
              samples: {
                /** @description unix time of the sample, in seconds */
                t: number;
                /** @description seconds since the sampler started */
                elapsed: number;
                /** @description CPU since the previous sample in percent of one core (100 = one full core) */
                cpuPercent: number | null;
                memoryBytes: number | null;
              }[];
              /** @description the file went on past what one answer reads (TDS_METRICS_READ_MAX_BYTES or TDS_METRICS_READ_MAX_ROWS) */
              truncated: boolean;
              samplesPerPoint: number;
              summary: {
                samples: number;
                cpu_percent_peak: number | null;
                cpu_percent_avg: number | null;
                memory_bytes_peak: number | null;
                memory_bytes_avg: number | null;
                duration_seconds: number | null;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/whoami': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Who the API key belongs to: a user, an operator, or no one when authentication is off */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              authEnabled: boolean;
              kind: 'user' | 'operator' | 'local';
              userId: string | null;
              operator: boolean;
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/overview': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Runs of the last day by state, success rate, what runs now, the next fire times, recent failures
     * @description For one user (a user key must name its own), or every user for an operator. Runs are counted since `sinceHours` ago (default 24) by the time they were queued; fire times cover the next `aheadHours` (default 24) of every schedule that is not paused; failures are the latest failed or timed out runs of the last week.
     */
    get: {
      parameters: {
        query?: {
          /** @description whose: required with a user's key (its own user); an operator may leave it out for every user's */
          userId?: string;
          sinceHours?: number;
          aheadHours?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              since: string;
              runsByState: {
                [key: string]: number;
              };
              /** @description succeeded out of the runs that ended, 0 to 1 */
              successRate: number | null;
              running: {
                runId: string;
                jobId: string | null;
                /** @description the job's uniqueId, or the workflow's for a step's run */
                uniqueId: string | null;
                /** @description a workflow step's run: its workflow run */
                workflowRunId: string | null;
                stepName: string | null;
                userId: string;
                /** @description queued, staging, building, running, uploading, succeeded, failed, cancelled, timed_out */
                state: string;
                startedAt: string | null;
                elapsedSeconds: number;
              }[];
              nextFires: {
                /** @description the job's, or null for a workflow's */
                jobId: string | null;
                /** @description the workflow's, or null */
                workflowId: string | null;
                uniqueId: string;
                userId: string;
                fireAt: string;
              }[];
              recentFailures: {
                runId: string;
                jobId: string | null;
                /** @description the job's uniqueId, or the workflow's for a step's run */
                uniqueId: string | null;
                /** @description a workflow step's run: its workflow run */
                workflowRunId: string | null;
                stepName: string | null;
                userId: string;
                /** @description queued, staging, building, running, uploading, succeeded, failed, cancelled, timed_out */
                state: string;
                reason: string | null;
                message: string | null;
                endedAt: string | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/job-summaries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Jobs with their last run and next fire time, newest first, filtered by name and last state */
    get: {
      parameters: {
        query?: {
          /** @description whose: required with a user's key (its own user); an operator may leave it out for every user's */
          userId?: string;
          /** @description part of the uniqueId, any case */
          name?: string;
          /** @description the last run's state: one or more, comma-separated (failed,timed_out for failed only) */
          state?: string | string[];
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              jobs: {
                id: string;
                userId: string;
                uniqueId: string;
                /** @description a recurring job's or workflow's cron expression */
                cron: string | null;
                timezone: string | null;
                paused: boolean | null;
                /** @description its next fire time; null when paused or not recurring */
                nextFireAt: string | null;
                command: string | null;
                lastRun: {
                  id: string;
                  /** @description queued, staging, building, running, uploading, succeeded, failed, cancelled, timed_out */
                  state: string;
                  exitCode: number | null;
                  queuedAt: string;
                  endedAt: string | null;
                } | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflow-summaries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Workflows with their latest workflow run, newest first, filtered by name and that run's state */
    get: {
      parameters: {
        query?: {
          /** @description whose: required with a user's key (its own user); an operator may leave it out for every user's */
          userId?: string;
          /** @description part of the uniqueId, any case */
          name?: string;
          /** @description the latest workflow run's state: one or more of queued, running, succeeded, failed, cancelled, comma-separated */
          state?: string | string[];
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              workflows: {
                id: string;
                userId: string;
                uniqueId: string;
                /** @description a recurring job's or workflow's cron expression */
                cron: string | null;
                timezone: string | null;
                paused: boolean | null;
                /** @description its next fire time; null when paused or not recurring */
                nextFireAt: string | null;
                /** @description how many steps its definition has */
                steps: number;
                createdAt: string;
                lastRun: {
                  /** @description the latest workflow run */
                  id: string;
                  /** @description queued, running, succeeded, failed, cancelled */
                  state: string;
                  queuedAt: string;
                  endedAt: string | null;
                } | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The web dashboard */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/states': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The states of runs, workflow runs, steps and items, the changes between them, and the event types
     * @description Each kind: every state, its groups (unfinished, ended; a step also started and its initial states) and the named transitions, each with the states it moves from and to. The same for every caller and every installation of this version: clients read the lists here rather than keeping copies.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              run: {
                states: string[];
                unfinished: string[];
                ended: string[];
                transitions: {
                  [key: string]: {
                    from: string[];
                    to: string[];
                  };
                };
              };
              workflowRun: {
                states: string[];
                initial: string;
                unfinished: string[];
                ended: string[];
                transitions: {
                  [key: string]: {
                    from: string[];
                    to: string[];
                  };
                };
              };
              step: {
                states: string[];
                initial: string[];
                unfinished: string[];
                ended: string[];
                started: string[];
                transitions: {
                  [key: string]: {
                    from: string[];
                    to: string[];
                  };
                };
                /** @description a plain step's state while its run is in each run state */
                fromRun: {
                  [key: string]: string;
                };
              };
              item: {
                states: string[];
              };
              /** @description the event types webhooks are sent and GET /events streams */
              event: {
                types: string[];
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{id}/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A job's runs, newest first, a page at a time
     * @description Every run of the job, a deleted one included, newest first by the time each was queued. Pass nextCursor as cursor for the next page: pages neither skip nor repeat runs while new ones are queued.
     */
    get: {
      parameters: {
        query?: {
          /** @description only runs in these states: one or more of queued, staging, building, running, uploading, succeeded, failed, cancelled, timed_out, comma-separated (state=failed,timed_out) or the parameter repeated (state=failed&state=timed_out) */
          state?: string | string[];
          /** @description runs per page */
          limit?: number;
          /** @description nextCursor of the previous page, to read the next one (keep the same filters) */
          cursor?: string;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description newest first (by the time each was queued) */
              runs: components['schemas']['def-1'][];
              /** @description pass as cursor for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A user's runs across their jobs, newest first, a page at a time
     * @description Runs newest first by the time each was queued, filtered by state and by when they were queued. A user's key lists its own user's runs only, and must name it in userId; an operator lists any user's, or every user's without userId. Pass nextCursor as cursor for the next page.
     */
    get: {
      parameters: {
        query?: {
          /** @description whose runs to list: required with a user's key (its own user); an operator may leave it out for every user's */
          userId?: string;
          /** @description only runs in these states: one or more of queued, staging, building, running, uploading, succeeded, failed, cancelled, timed_out, comma-separated (state=failed,timed_out) or the parameter repeated (state=failed&state=timed_out) */
          state?: string | string[];
          /** @description only runs queued at or after this time (ISO 8601, e.g. 2025-01-31T09:00:00Z) */
          since?: string;
          /** @description only runs queued before this time (ISO 8601) */
          until?: string;
          /** @description runs per page */
          limit?: number;
          /** @description nextCursor of the previous page, to read the next one (keep the same filters) */
          cursor?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description newest first (by the time each was queued) */
              runs: components['schemas']['def-1'][];
              /** @description pass as cursor for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A user's workflows, newest first, a page at a time */
    get: {
      parameters: {
        query: {
          /** @description whose workflows to list */
          userId: string;
          limit?: number;
          /** @description nextCursor of the previous page */
          cursor?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              workflows: {
                /** Format: uuid */
                id: string;
                userId: string;
                uniqueId: string;
                /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
                definition: {
                  /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                  shared: {
                    source_s3_prefix?: string;
                    /** @description the cron expression; null: not recurring */
                    cron?: string | null;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description at most this many step runs at once */
                  maxParallel: number;
                  steps: ({
                    name: string;
                    dependsOn: string[];
                    /** @description all_succeeded, all_done or any_failed */
                    runIf: string;
                    /** @description how a fan-out step gets its items */
                    forEach?: {
                      kind: 'none' | 'static' | 'dynamic' | 'param';
                      /** @description static: the items */
                      items?: unknown[];
                      /** @description dynamic: the step whose result lists them */
                      step?: string;
                      /** @description param: the list param holding them */
                      param?: string;
                    } & {
                      [key: string]: unknown;
                    };
                    /** @description the step as a job spec (placeholders still in it) */
                    spec: {
                      command?: string | null;
                      image?: string | null;
                      args?: (string[] | string) | (never | null);
                    } & {
                      [key: string]: unknown;
                    };
                  } & {
                    [key: string]: unknown;
                  })[];
                  /** @description the step names in a valid start order */
                  order: string[];
                  /** @description the declared params; absent when none are declared */
                  params?: {
                    [key: string]: {
                      /** @description string, number, boolean or list */
                      type: string;
                      default?: unknown;
                      description?: string;
                    } & {
                      [key: string]: unknown;
                    };
                  };
                } & {
                  [key: string]: unknown;
                };
                /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
                version: number;
                /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
                schedule: {
                  cron: string;
                  timezone: string;
                  /** @description the schedule in words */
                  description: string;
                  overlapPolicy: string;
                  catchUpPolicy: string;
                  catchUpWindowSeconds: number;
                  catchUpLimit: number;
                  paused?: boolean;
                  nextFireTimes?: string[];
                  /** Format: date-time */
                  lastFireAt?: string | null;
                  recentFires?: {
                    /** Format: date-time */
                    fireAt: string;
                    /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                    outcome: string;
                    runId: string | null;
                    /** @description a workflow's fire time: the workflow run it started */
                    workflowRunId?: string;
                    detail: string | null;
                  }[];
                } | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                deletedAt: string | null;
              }[];
              nextCursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    /**
     * Submit a workflow
     * @description Validates the workflow whole (every problem listed with its JSON path in `problems`), stores it and starts its first run. With `cron`, the workflow is recurring: its runs start on the schedule (with the overlap and catch-up policies jobs have), `workflowRun` is null and `workflow.schedule` shows the next fire times. `?dry_run=true` validates and answers the plan and the definition as it would be stored, storing nothing. The same userId + uniqueId and body again answers the stored workflow with 200; a different body 409 (PUT /workflows/:id updates it).
     */
    post: {
      parameters: {
        query?: {
          dry_run?: 'true' | 'false';
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description who owns the job: letters, digits, ".", "_", "@" and "-", up to 128 characters */
            userId: string;
            /** @description the caller's idempotency key within userId (letters, digits, '.', '_', '@', '-'; up to 128 characters); posting the same job again returns the existing one */
            uniqueId: string;
            /** @description the bucket inputs are read from and results are written to (S3 bucket naming rules) */
            s3_bucket: string;
            /** @description folder of the bucket whose objects become the inputs under /job/input/ ("" for the whole bucket; a leading "/" is dropped; ".." is refused) */
            source_s3_prefix: string;
            /** @description folder of the bucket that receives results, as <prefix>/<uniqueId>/<runId>/ (a leading "/" is dropped; ".." is refused) */
            destination_s3_prefix: string;
            /** @description packages installed with the base image's package manager (apt-get, apk, dnf or yum) */
            linux_dependencies?: string[];
            /** @description a cron expression (5 fields, or 6 with seconds first) to run the job on a schedule; omit to run once, now */
            cron?: string;
            /** @description IANA timezone the cron expression is read in, e.g. "Europe/Paris" (default UTC) */
            timezone?: string;
            /** @description when a fire time comes while the previous run is still queued or going: skip it (default, recorded), allow a second run alongside, queue_one (buffer one run to start when the previous ends), or replace (cancel the previous run) */
            overlap_policy?: 'skip' | 'allow' | 'queue_one' | 'replace';
            /** @description fire times missed while the service was down: run the latest one within the catch-up window (default), all of them within the window (up to catch_up_limit, one after another), or none; each missed time is recorded */
            catch_up_policy?: 'latest' | 'all' | 'skip';
            /** @description how far back a missed fire time may be and still be caught up (default 3600) */
            catch_up_window_seconds?: number;
            /** @description the most missed fire times caught up at once with catch_up_policy "all" (default 10) */
            catch_up_limit?: number;
            /** @description how many times a run may be attempted when it fails for infrastructure reasons (infra_error), or for a non-zero exit with retry_on_exit_code (default 3) */
            max_attempts?: number;
            /** @description also retry when the command exits non-zero (default false) */
            retry_on_exit_code?: boolean;
            /** @description wait before the second attempt, doubled for each further one, at most 600 s (default 10) */
            retry_backoff_seconds?: number;
            /** @description how long the command may run before it is stopped and the run ends timed_out */
            timeout_seconds?: number;
            /** @description CPU limit in cores, e.g. 0.5 */
            cpus?: number;
            /** @description memory limit in MiB */
            memory_mb?: number;
            /** @description GPUs the container is given: a count, or "all" of the worker's; the run is claimed only by a worker holding the "gpu" tag (its engine has the NVIDIA runtime, or its operator says so), which is added to requires; at most the service's TDS_USER_MAX_GPUS */
            gpus?: number | 'all';
            /** @description disk in MiB the run may fill in the folders it can write to (/job/output); a run that writes more is stopped and fails disk_limit_exceeded, with what it wrote uploaded (default: the service's TDS_DEFAULT_DISK_MB) */
            disk_mb?: number;
            /** @description environment variables for the command (names starting with TDS_ are reserved) */
            env?: {
              [key: string]: string;
            };
            /** @description names of the user's secrets (PUT /secrets/NAME) the command gets as environment variables of those names, opened when each run starts: the values are never stored with the job, never in its image, and masked (***) in its logs; each must exist when the job is submitted */
            secrets?: string[];
            /** @description the base image of the job image (default: the service's TDS_BASE_IMAGE); pulled for each run unless the operator lists it as a local image, as for image */
            base_image?: string;
            /** @description how often CPU and memory are sampled into metrics.csv */
            metrics_interval_seconds?: number;
            /** @description the network the container is on: "none" (loopback only: no way in or out) or "bridge" (can reach the internet); default: the service's TDS_DEFAULT_NETWORK */
            network?: 'none' | 'bridge';
            /** @description an http(s) URL told when each of the job's runs ends (run.succeeded, run.failed, run.cancelled, run.timed_out), signed as webhooks are; its whsec_ secret is in the answer that creates the job, and only there */
            notify_url?: string;
            /** @description days after a run ends that its results folder in S3 (logs, outputs, metrics, run.json) is deleted, a whole number up to 36500; 0 keeps them for ever; omitted, the service's TDS_RESULTS_RETENTION_DAYS (default 0). Never later than the service's TDS_RETENTION_DAYS, when that is not 0. A workflow's value is its steps' */
            results_retention_days?: number;
            /** @description tags a worker must hold, every one of them, to run this job (a worker holds its TDS_WORKER_TAGS and its platform, e.g. "linux/arm64"); runs that no live worker can take stay queued and say what they wait for */
            requires?: string[];
            /** @description parameters a trigger may set (at most 50), each used as {{params.NAME}} in a step's command, args and env values: NAME → { type: string|number|boolean|list, default?, description? }; one without a default is required at each trigger, and a scheduled fire uses the defaults */
            params?: {
              [key: string]: {
                /** @description string, number, boolean or list (a JSON array) */
                type: 'string' | 'number' | 'boolean' | 'list';
                /** @description its value when a trigger gives none; without one, every trigger must */
                default?: unknown;
                /** @description what it is, for people */
                description?: string;
              };
            };
            /** @description steps (or fan-out items) running at once within one workflow run (default 4); the user's ceilings still hold */
            max_parallel?: number;
            /** @description the steps, at most 500 */
            steps: {
              /** @description the step's name, unique in the workflow: a letter, then letters, digits, "_" or "-" (up to 63) */
              name: string;
              /** @description the shell command to run in /job with /bin/sh, exactly as written (at most 16384 characters) but for ${TODAY} and ${NOW}, which each run gets filled in with the date and time of its fire (as in args and env values); give either command or image */
              command?: string;
              /** @description a prebuilt image to run as it is instead of a command: its entrypoint is kept and args is its command; no packages are installed (linux_dependencies and base_image do not apply). Pulled for each run unless the operator lists it as a local image; the service's own images (tds-run, tds-packages) and image ids are refused. In a step with for_each it may be filled from the item, {{item}} or {{item.FIELD}} (e.g. "{{item.image}}"): each item's image is then held to the same rules when the item is queued */
              image?: string;
              /** @description with image only: the image's command, as a list of arguments, or as a string run by the image's /bin/sh -c; omitted, the image's own CMD is used */
              args?: string[] | string;
              /** @description packages installed with the base image's package manager (apt-get, apk, dnf or yum) */
              linux_dependencies?: string[];
              /** @description the base image of the job image (default: the service's TDS_BASE_IMAGE); pulled for each run unless the operator lists it as a local image, as for image */
              base_image?: string;
              /** @description how long the command may run before it is stopped and the run ends timed_out */
              timeout_seconds?: number;
              /** @description CPU limit in cores, e.g. 0.5 */
              cpus?: number;
              /** @description memory limit in MiB */
              memory_mb?: number;
              /** @description disk in MiB the run may fill in the folders it can write to (/job/output); a run that writes more is stopped and fails disk_limit_exceeded, with what it wrote uploaded (default: the service's TDS_DEFAULT_DISK_MB) */
              disk_mb?: number;
              /** @description GPUs the container is given: a count, or "all" of the worker's; the run is claimed only by a worker holding the "gpu" tag (its engine has the NVIDIA runtime, or its operator says so), which is added to requires; at most the service's TDS_USER_MAX_GPUS */
              gpus?: number | 'all';
              /** @description environment variables for the command (names starting with TDS_ are reserved) */
              env?: {
                [key: string]: string;
              };
              /** @description names of the user's secrets (PUT /secrets/NAME) the command gets as environment variables of those names, opened when each run starts: the values are never stored with the job, never in its image, and masked (***) in its logs; each must exist when the job is submitted */
              secrets?: string[];
              /** @description the network the container is on: "none" (loopback only: no way in or out) or "bridge" (can reach the internet); default: the service's TDS_DEFAULT_NETWORK */
              network?: 'none' | 'bridge';
              /** @description how many times a run may be attempted when it fails for infrastructure reasons (infra_error), or for a non-zero exit with retry_on_exit_code (default 3) */
              max_attempts?: number;
              /** @description also retry when the command exits non-zero (default false) */
              retry_on_exit_code?: boolean;
              /** @description wait before the second attempt, doubled for each further one, at most 600 s (default 10) */
              retry_backoff_seconds?: number;
              /** @description how often CPU and memory are sampled into metrics.csv */
              metrics_interval_seconds?: number;
              /** @description tags a worker must hold, every one of them, to run this job (a worker holds its TDS_WORKER_TAGS and its platform, e.g. "linux/arm64"); runs that no live worker can take stay queued and say what they wait for */
              requires?: string[];
              /** @description steps that must end before this one starts; omitted, the steps its {{steps.NAME.result}} placeholders name */
              depends_on?: string[];
              /** @description when the step runs: all_succeeded (default; otherwise it is skipped naming the dependency), all_done (once every dependency ended, however), any_failed (only if a dependency failed) */
              run_if?: 'all_succeeded' | 'all_done' | 'any_failed';
              /** @description run the step once per item (up to 10000): a JSON array, or "{{steps.NAME.result}}" of a step whose result is one; each item sees {{item}}, {{index}}, TDS_ITEM and TDS_INDEX */
              for_each?: unknown[] | string;
              /** @description how many failed items a fan-out step tolerates: a count, or a percent such as "10%" (default 0) */
              max_failures?: number | string;
            }[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json':
              | {
                  valid: boolean;
                  plan: {
                    steps: {
                      name: string;
                      dependsOn: string[];
                      runIf: string;
                      /** @description none, static or dynamic */
                      forEach: string;
                      items?: number;
                    }[];
                    /** @description the step names in a valid start order */
                    order: string[];
                  };
                  /** @description the workflow as it would be stored (as GET /workflows/:id shows it) */
                  definition: {
                    /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                    shared: {
                      source_s3_prefix?: string;
                      /** @description the cron expression; null: not recurring */
                      cron?: string | null;
                    } & {
                      [key: string]: unknown;
                    };
                    /** @description at most this many step runs at once */
                    maxParallel: number;
                    steps: ({
                      name: string;
                      dependsOn: string[];
                      /** @description all_succeeded, all_done or any_failed */
                      runIf: string;
                      /** @description how a fan-out step gets its items */
                      forEach?: {
                        kind: 'none' | 'static' | 'dynamic' | 'param';
                        /** @description static: the items */
                        items?: unknown[];
                        /** @description dynamic: the step whose result lists them */
                        step?: string;
                        /** @description param: the list param holding them */
                        param?: string;
                      } & {
                        [key: string]: unknown;
                      };
                      /** @description the step as a job spec (placeholders still in it) */
                      spec: {
                        command?: string | null;
                        image?: string | null;
                        args?: (string[] | string) | (never | null);
                      } & {
                        [key: string]: unknown;
                      };
                    } & {
                      [key: string]: unknown;
                    })[];
                    /** @description the step names in a valid start order */
                    order: string[];
                    /** @description the declared params; absent when none are declared */
                    params?: {
                      [key: string]: {
                        /** @description string, number, boolean or list */
                        type: string;
                        default?: unknown;
                        description?: string;
                      } & {
                        [key: string]: unknown;
                      };
                    };
                  } & {
                    [key: string]: unknown;
                  };
                }
              | {
                  workflow: {
                    /** Format: uuid */
                    id: string;
                    userId: string;
                    uniqueId: string;
                    /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
                    definition: {
                      /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                      shared: {
                        source_s3_prefix?: string;
                        /** @description the cron expression; null: not recurring */
                        cron?: string | null;
                      } & {
                        [key: string]: unknown;
                      };
                      /** @description at most this many step runs at once */
                      maxParallel: number;
                      steps: ({
                        name: string;
                        dependsOn: string[];
                        /** @description all_succeeded, all_done or any_failed */
                        runIf: string;
                        /** @description how a fan-out step gets its items */
                        forEach?: {
                          kind: 'none' | 'static' | 'dynamic' | 'param';
                          /** @description static: the items */
                          items?: unknown[];
                          /** @description dynamic: the step whose result lists them */
                          step?: string;
                          /** @description param: the list param holding them */
                          param?: string;
                        } & {
                          [key: string]: unknown;
                        };
                        /** @description the step as a job spec (placeholders still in it) */
                        spec: {
                          command?: string | null;
                          image?: string | null;
                          args?: (string[] | string) | (never | null);
                        } & {
                          [key: string]: unknown;
                        };
                      } & {
                        [key: string]: unknown;
                      })[];
                      /** @description the step names in a valid start order */
                      order: string[];
                      /** @description the declared params; absent when none are declared */
                      params?: {
                        [key: string]: {
                          /** @description string, number, boolean or list */
                          type: string;
                          default?: unknown;
                          description?: string;
                        } & {
                          [key: string]: unknown;
                        };
                      };
                    } & {
                      [key: string]: unknown;
                    };
                    /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
                    version: number;
                    /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
                    schedule: {
                      cron: string;
                      timezone: string;
                      /** @description the schedule in words */
                      description: string;
                      overlapPolicy: string;
                      catchUpPolicy: string;
                      catchUpWindowSeconds: number;
                      catchUpLimit: number;
                      paused?: boolean;
                      nextFireTimes?: string[];
                      /** Format: date-time */
                      lastFireAt?: string | null;
                      recentFires?: {
                        /** Format: date-time */
                        fireAt: string;
                        /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                        outcome: string;
                        runId: string | null;
                        /** @description a workflow's fire time: the workflow run it started */
                        workflowRunId?: string;
                        detail: string | null;
                      }[];
                    } | null;
                    /** Format: date-time */
                    createdAt: string;
                    /** Format: date-time */
                    deletedAt: string | null;
                  };
                  workflowRun: {
                    /** Format: uuid */
                    id: string;
                    /** Format: uuid */
                    workflowId: string;
                    userId: string;
                    uniqueId: string;
                    /** @description queued, running, succeeded, failed, cancelled */
                    state: string;
                    /** @description submit, retry, schedule, catch_up, manual or backfill */
                    trigger: string;
                    /** Format: date-time */
                    scheduledFor: string | null;
                    retryOf: string | null;
                    fromStep: string | null;
                    maxParallel: number;
                    failure: {
                      step: string | null;
                      reason: string;
                      message: string;
                    } | null;
                    cancelRequested: boolean;
                    /** @description what the trigger changed of the definition for this run; null when it ran as defined */
                    overrides: {
                      /** @description merged over the definition's env */
                      env?: {
                        [key: string]: string;
                      };
                      /** @description used instead of the definition's */
                      source_s3_prefix?: string;
                    } | null;
                    /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
                    params: {
                      [key: string]: unknown;
                    } | null;
                    timings: {
                      /** Format: date-time */
                      queuedAt: string | null;
                      /** Format: date-time */
                      startedAt: string | null;
                      /** Format: date-time */
                      endedAt: string | null;
                    };
                    results: {
                      bucket: string;
                      prefix: string;
                      uri: string;
                      report: {
                        json: string;
                        text: string;
                        /**
                         * Format: date-time
                         * @description when the report was written: null until just after the workflow run ends
                         */
                        writtenAt: string | null;
                      };
                    };
                    steps: {
                      name: string;
                      /** @description pending, queued, running, succeeded, failed, skipped or cancelled */
                      state: string;
                      dependsOn: string[];
                      runIf: string;
                      /** @description why the step was skipped, failed or cancelled */
                      reason: string | null;
                      /** @description the step's result: the last non-empty line of its stdout; a fan-out step's is the JSON array of its items' results, or null when that came to more than TDS_MAX_RESULT_BYTES (see resultTruncated) */
                      result: string | null;
                      /** @description a fan-out step's result came to more than TDS_MAX_RESULT_BYTES: result is null, and every item's result is in the step's manifest (<results.uri>items.jsonl, given to its dependants as /job/steps/<name>/items.jsonl) and at GET /workflow-runs/:id/steps/:name/items */
                      resultTruncated: boolean;
                      exitCode: number | null;
                      /** @description the step's run (its last attempt); null for a fan-out step */
                      runId: string | null;
                      attempts: number;
                      /** Format: date-time */
                      startedAt: string | null;
                      /** Format: date-time */
                      endedAt: string | null;
                      durationSeconds: number | null;
                      results: {
                        prefix: string;
                        uri: string;
                      };
                      /** @description the workflow run whose result and files a retry reused */
                      reusedFrom: string | null;
                      items: {
                        total: number;
                        pending: number;
                        queued: number;
                        running: number;
                        succeeded: number;
                        failed: number;
                        cancelled: number;
                        skipped: number;
                      } | null;
                    }[];
                  } | null;
                  created: boolean;
                };
          };
        };
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              workflow: {
                /** Format: uuid */
                id: string;
                userId: string;
                uniqueId: string;
                /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
                definition: {
                  /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                  shared: {
                    source_s3_prefix?: string;
                    /** @description the cron expression; null: not recurring */
                    cron?: string | null;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description at most this many step runs at once */
                  maxParallel: number;
                  steps: ({
                    name: string;
                    dependsOn: string[];
                    /** @description all_succeeded, all_done or any_failed */
                    runIf: string;
                    /** @description how a fan-out step gets its items */
                    forEach?: {
                      kind: 'none' | 'static' | 'dynamic' | 'param';
                      /** @description static: the items */
                      items?: unknown[];
                      /** @description dynamic: the step whose result lists them */
                      step?: string;
                      /** @description param: the list param holding them */
                      param?: string;
                    } & {
                      [key: string]: unknown;
                    };
                    /** @description the step as a job spec (placeholders still in it) */
                    spec: {
                      command?: string | null;
                      image?: string | null;
                      args?: (string[] | string) | (never | null);
                    } & {
                      [key: string]: unknown;
                    };
                  } & {
                    [key: string]: unknown;
                  })[];
                  /** @description the step names in a valid start order */
                  order: string[];
                  /** @description the declared params; absent when none are declared */
                  params?: {
                    [key: string]: {
                      /** @description string, number, boolean or list */
                      type: string;
                      default?: unknown;
                      description?: string;
                    } & {
                      [key: string]: unknown;
                    };
                  };
                } & {
                  [key: string]: unknown;
                };
                /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
                version: number;
                /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
                schedule: {
                  cron: string;
                  timezone: string;
                  /** @description the schedule in words */
                  description: string;
                  overlapPolicy: string;
                  catchUpPolicy: string;
                  catchUpWindowSeconds: number;
                  catchUpLimit: number;
                  paused?: boolean;
                  nextFireTimes?: string[];
                  /** Format: date-time */
                  lastFireAt?: string | null;
                  recentFires?: {
                    /** Format: date-time */
                    fireAt: string;
                    /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                    outcome: string;
                    runId: string | null;
                    /** @description a workflow's fire time: the workflow run it started */
                    workflowRunId?: string;
                    detail: string | null;
                  }[];
                } | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                deletedAt: string | null;
              };
              workflowRun: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                workflowId: string;
                userId: string;
                uniqueId: string;
                /** @description queued, running, succeeded, failed, cancelled */
                state: string;
                /** @description submit, retry, schedule, catch_up, manual or backfill */
                trigger: string;
                /** Format: date-time */
                scheduledFor: string | null;
                retryOf: string | null;
                fromStep: string | null;
                maxParallel: number;
                failure: {
                  step: string | null;
                  reason: string;
                  message: string;
                } | null;
                cancelRequested: boolean;
                /** @description what the trigger changed of the definition for this run; null when it ran as defined */
                overrides: {
                  /** @description merged over the definition's env */
                  env?: {
                    [key: string]: string;
                  };
                  /** @description used instead of the definition's */
                  source_s3_prefix?: string;
                } | null;
                /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
                params: {
                  [key: string]: unknown;
                } | null;
                timings: {
                  /** Format: date-time */
                  queuedAt: string | null;
                  /** Format: date-time */
                  startedAt: string | null;
                  /** Format: date-time */
                  endedAt: string | null;
                };
                results: {
                  bucket: string;
                  prefix: string;
                  uri: string;
                  report: {
                    json: string;
                    text: string;
                    /**
                     * Format: date-time
                     * @description when the report was written: null until just after the workflow run ends
                     */
                    writtenAt: string | null;
                  };
                };
                steps: {
                  name: string;
                  /** @description pending, queued, running, succeeded, failed, skipped or cancelled */
                  state: string;
                  dependsOn: string[];
                  runIf: string;
                  /** @description why the step was skipped, failed or cancelled */
                  reason: string | null;
                  /** @description the step's result: the last non-empty line of its stdout; a fan-out step's is the JSON array of its items' results, or null when that came to more than TDS_MAX_RESULT_BYTES (see resultTruncated) */
                  result: string | null;
                  /** @description a fan-out step's result came to more than TDS_MAX_RESULT_BYTES: result is null, and every item's result is in the step's manifest (<results.uri>items.jsonl, given to its dependants as /job/steps/<name>/items.jsonl) and at GET /workflow-runs/:id/steps/:name/items */
                  resultTruncated: boolean;
                  exitCode: number | null;
                  /** @description the step's run (its last attempt); null for a fan-out step */
                  runId: string | null;
                  attempts: number;
                  /** Format: date-time */
                  startedAt: string | null;
                  /** Format: date-time */
                  endedAt: string | null;
                  durationSeconds: number | null;
                  results: {
                    prefix: string;
                    uri: string;
                  };
                  /** @description the workflow run whose result and files a retry reused */
                  reusedFrom: string | null;
                  items: {
                    total: number;
                    pending: number;
                    queued: number;
                    running: number;
                    succeeded: number;
                    failed: number;
                    cancelled: number;
                    skipped: number;
                  } | null;
                }[];
              } | null;
              created: boolean;
              /** @description such as tags a step requires that no worker has ever advertised */
              warnings?: string[];
              /** @description with notify_url, when the workflow is created */
              notify?: {
                webhookId: string;
                /** @description the notify_url's whsec_ signing secret: shown here only */
                secret: string;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A workflow and its latest runs */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              workflow: {
                /** Format: uuid */
                id: string;
                userId: string;
                uniqueId: string;
                /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
                definition: {
                  /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                  shared: {
                    source_s3_prefix?: string;
                    /** @description the cron expression; null: not recurring */
                    cron?: string | null;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description at most this many step runs at once */
                  maxParallel: number;
                  steps: ({
                    name: string;
                    dependsOn: string[];
                    /** @description all_succeeded, all_done or any_failed */
                    runIf: string;
                    /** @description how a fan-out step gets its items */
                    forEach?: {
                      kind: 'none' | 'static' | 'dynamic' | 'param';
                      /** @description static: the items */
                      items?: unknown[];
                      /** @description dynamic: the step whose result lists them */
                      step?: string;
                      /** @description param: the list param holding them */
                      param?: string;
                    } & {
                      [key: string]: unknown;
                    };
                    /** @description the step as a job spec (placeholders still in it) */
                    spec: {
                      command?: string | null;
                      image?: string | null;
                      args?: (string[] | string) | (never | null);
                    } & {
                      [key: string]: unknown;
                    };
                  } & {
                    [key: string]: unknown;
                  })[];
                  /** @description the step names in a valid start order */
                  order: string[];
                  /** @description the declared params; absent when none are declared */
                  params?: {
                    [key: string]: {
                      /** @description string, number, boolean or list */
                      type: string;
                      default?: unknown;
                      description?: string;
                    } & {
                      [key: string]: unknown;
                    };
                  };
                } & {
                  [key: string]: unknown;
                };
                /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
                version: number;
                /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
                schedule: {
                  cron: string;
                  timezone: string;
                  /** @description the schedule in words */
                  description: string;
                  overlapPolicy: string;
                  catchUpPolicy: string;
                  catchUpWindowSeconds: number;
                  catchUpLimit: number;
                  paused?: boolean;
                  nextFireTimes?: string[];
                  /** Format: date-time */
                  lastFireAt?: string | null;
                  recentFires?: {
                    /** Format: date-time */
                    fireAt: string;
                    /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                    outcome: string;
                    runId: string | null;
                    /** @description a workflow's fire time: the workflow run it started */
                    workflowRunId?: string;
                    detail: string | null;
                  }[];
                } | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                deletedAt: string | null;
              };
              runs: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                workflowId: string;
                userId: string;
                uniqueId: string;
                /** @description queued, running, succeeded, failed, cancelled */
                state: string;
                /** @description submit, retry, schedule, catch_up, manual or backfill */
                trigger: string;
                /** Format: date-time */
                scheduledFor: string | null;
                retryOf: string | null;
                fromStep: string | null;
                maxParallel: number;
                failure: {
                  step: string | null;
                  reason: string;
                  message: string;
                } | null;
                cancelRequested: boolean;
                /** @description what the trigger changed of the definition for this run; null when it ran as defined */
                overrides: {
                  /** @description merged over the definition's env */
                  env?: {
                    [key: string]: string;
                  };
                  /** @description used instead of the definition's */
                  source_s3_prefix?: string;
                } | null;
                /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
                params: {
                  [key: string]: unknown;
                } | null;
                timings: {
                  /** Format: date-time */
                  queuedAt: string | null;
                  /** Format: date-time */
                  startedAt: string | null;
                  /** Format: date-time */
                  endedAt: string | null;
                };
                results: {
                  bucket: string;
                  prefix: string;
                  uri: string;
                  report: {
                    json: string;
                    text: string;
                    /**
                     * Format: date-time
                     * @description when the report was written: null until just after the workflow run ends
                     */
                    writtenAt: string | null;
                  };
                };
                steps: {
                  name: string;
                  /** @description pending, queued, running, succeeded, failed, skipped or cancelled */
                  state: string;
                  dependsOn: string[];
                  runIf: string;
                  /** @description why the step was skipped, failed or cancelled */
                  reason: string | null;
                  /** @description the step's result: the last non-empty line of its stdout; a fan-out step's is the JSON array of its items' results, or null when that came to more than TDS_MAX_RESULT_BYTES (see resultTruncated) */
                  result: string | null;
                  /** @description a fan-out step's result came to more than TDS_MAX_RESULT_BYTES: result is null, and every item's result is in the step's manifest (<results.uri>items.jsonl, given to its dependants as /job/steps/<name>/items.jsonl) and at GET /workflow-runs/:id/steps/:name/items */
                  resultTruncated: boolean;
                  exitCode: number | null;
                  /** @description the step's run (its last attempt); null for a fan-out step */
                  runId: string | null;
                  attempts: number;
                  /** Format: date-time */
                  startedAt: string | null;
                  /** Format: date-time */
                  endedAt: string | null;
                  durationSeconds: number | null;
                  results: {
                    prefix: string;
                    uri: string;
                  };
                  /** @description the workflow run whose result and files a retry reused */
                  reusedFrom: string | null;
                  items: {
                    total: number;
                    pending: number;
                    queued: number;
                    running: number;
                    succeeded: number;
                    failed: number;
                    cancelled: number;
                    skipped: number;
                  } | null;
                }[];
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    /**
     * Replace a workflow's definition (a new version; earlier ones kept)
     * @description Send the whole definition, as to POST /workflows, with the same userId and uniqueId; it is validated as POST validates it (every problem in `problems`). A changed definition becomes a new version (GET /workflows/:id/versions keeps every one) and the next fire times of a recurring workflow are recomputed from now (a pause is kept); workflow runs under way go on with the definition they started with, and no run is started. A changed notify_url moves the endpoint made for it in the same transaction (same webhookId, same secret); a notify_url where the workflow had no endpoint makes one, answered in notify with its secret (shown only here); a removed notify_url disables the endpoint (its deliveries kept). An unchanged definition changes nothing: changed is false.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description who owns the job: letters, digits, ".", "_", "@" and "-", up to 128 characters */
            userId: string;
            /** @description the caller's idempotency key within userId (letters, digits, '.', '_', '@', '-'; up to 128 characters); posting the same job again returns the existing one */
            uniqueId: string;
            /** @description the bucket inputs are read from and results are written to (S3 bucket naming rules) */
            s3_bucket: string;
            /** @description folder of the bucket whose objects become the inputs under /job/input/ ("" for the whole bucket; a leading "/" is dropped; ".." is refused) */
            source_s3_prefix: string;
            /** @description folder of the bucket that receives results, as <prefix>/<uniqueId>/<runId>/ (a leading "/" is dropped; ".." is refused) */
            destination_s3_prefix: string;
            /** @description packages installed with the base image's package manager (apt-get, apk, dnf or yum) */
            linux_dependencies?: string[];
            /** @description a cron expression (5 fields, or 6 with seconds first) to run the job on a schedule; omit to run once, now */
            cron?: string;
            /** @description IANA timezone the cron expression is read in, e.g. "Europe/Paris" (default UTC) */
            timezone?: string;
            /** @description when a fire time comes while the previous run is still queued or going: skip it (default, recorded), allow a second run alongside, queue_one (buffer one run to start when the previous ends), or replace (cancel the previous run) */
            overlap_policy?: 'skip' | 'allow' | 'queue_one' | 'replace';
            /** @description fire times missed while the service was down: run the latest one within the catch-up window (default), all of them within the window (up to catch_up_limit, one after another), or none; each missed time is recorded */
            catch_up_policy?: 'latest' | 'all' | 'skip';
            /** @description how far back a missed fire time may be and still be caught up (default 3600) */
            catch_up_window_seconds?: number;
            /** @description the most missed fire times caught up at once with catch_up_policy "all" (default 10) */
            catch_up_limit?: number;
            /** @description how many times a run may be attempted when it fails for infrastructure reasons (infra_error), or for a non-zero exit with retry_on_exit_code (default 3) */
            max_attempts?: number;
            /** @description also retry when the command exits non-zero (default false) */
            retry_on_exit_code?: boolean;
            /** @description wait before the second attempt, doubled for each further one, at most 600 s (default 10) */
            retry_backoff_seconds?: number;
            /** @description how long the command may run before it is stopped and the run ends timed_out */
            timeout_seconds?: number;
            /** @description CPU limit in cores, e.g. 0.5 */
            cpus?: number;
            /** @description memory limit in MiB */
            memory_mb?: number;
            /** @description GPUs the container is given: a count, or "all" of the worker's; the run is claimed only by a worker holding the "gpu" tag (its engine has the NVIDIA runtime, or its operator says so), which is added to requires; at most the service's TDS_USER_MAX_GPUS */
            gpus?: number | 'all';
            /** @description disk in MiB the run may fill in the folders it can write to (/job/output); a run that writes more is stopped and fails disk_limit_exceeded, with what it wrote uploaded (default: the service's TDS_DEFAULT_DISK_MB) */
            disk_mb?: number;
            /** @description environment variables for the command (names starting with TDS_ are reserved) */
            env?: {
              [key: string]: string;
            };
            /** @description names of the user's secrets (PUT /secrets/NAME) the command gets as environment variables of those names, opened when each run starts: the values are never stored with the job, never in its image, and masked (***) in its logs; each must exist when the job is submitted */
            secrets?: string[];
            /** @description the base image of the job image (default: the service's TDS_BASE_IMAGE); pulled for each run unless the operator lists it as a local image, as for image */
            base_image?: string;
            /** @description how often CPU and memory are sampled into metrics.csv */
            metrics_interval_seconds?: number;
            /** @description the network the container is on: "none" (loopback only: no way in or out) or "bridge" (can reach the internet); default: the service's TDS_DEFAULT_NETWORK */
            network?: 'none' | 'bridge';
            /** @description an http(s) URL told when each of the job's runs ends (run.succeeded, run.failed, run.cancelled, run.timed_out), signed as webhooks are; its whsec_ secret is in the answer that creates the job, and only there */
            notify_url?: string;
            /** @description days after a run ends that its results folder in S3 (logs, outputs, metrics, run.json) is deleted, a whole number up to 36500; 0 keeps them for ever; omitted, the service's TDS_RESULTS_RETENTION_DAYS (default 0). Never later than the service's TDS_RETENTION_DAYS, when that is not 0. A workflow's value is its steps' */
            results_retention_days?: number;
            /** @description tags a worker must hold, every one of them, to run this job (a worker holds its TDS_WORKER_TAGS and its platform, e.g. "linux/arm64"); runs that no live worker can take stay queued and say what they wait for */
            requires?: string[];
            /** @description parameters a trigger may set (at most 50), each used as {{params.NAME}} in a step's command, args and env values: NAME → { type: string|number|boolean|list, default?, description? }; one without a default is required at each trigger, and a scheduled fire uses the defaults */
            params?: {
              [key: string]: {
                /** @description string, number, boolean or list (a JSON array) */
                type: 'string' | 'number' | 'boolean' | 'list';
                /** @description its value when a trigger gives none; without one, every trigger must */
                default?: unknown;
                /** @description what it is, for people */
                description?: string;
              };
            };
            /** @description steps (or fan-out items) running at once within one workflow run (default 4); the user's ceilings still hold */
            max_parallel?: number;
            /** @description the steps, at most 500 */
            steps: {
              /** @description the step's name, unique in the workflow: a letter, then letters, digits, "_" or "-" (up to 63) */
              name: string;
              /** @description the shell command to run in /job with /bin/sh, exactly as written (at most 16384 characters) but for ${TODAY} and ${NOW}, which each run gets filled in with the date and time of its fire (as in args and env values); give either command or image */
              command?: string;
              /** @description a prebuilt image to run as it is instead of a command: its entrypoint is kept and args is its command; no packages are installed (linux_dependencies and base_image do not apply). Pulled for each run unless the operator lists it as a local image; the service's own images (tds-run, tds-packages) and image ids are refused. In a step with for_each it may be filled from the item, {{item}} or {{item.FIELD}} (e.g. "{{item.image}}"): each item's image is then held to the same rules when the item is queued */
              image?: string;
              /** @description with image only: the image's command, as a list of arguments, or as a string run by the image's /bin/sh -c; omitted, the image's own CMD is used */
              args?: string[] | string;
              /** @description packages installed with the base image's package manager (apt-get, apk, dnf or yum) */
              linux_dependencies?: string[];
              /** @description the base image of the job image (default: the service's TDS_BASE_IMAGE); pulled for each run unless the operator lists it as a local image, as for image */
              base_image?: string;
              /** @description how long the command may run before it is stopped and the run ends timed_out */
              timeout_seconds?: number;
              /** @description CPU limit in cores, e.g. 0.5 */
              cpus?: number;
              /** @description memory limit in MiB */
              memory_mb?: number;
              /** @description disk in MiB the run may fill in the folders it can write to (/job/output); a run that writes more is stopped and fails disk_limit_exceeded, with what it wrote uploaded (default: the service's TDS_DEFAULT_DISK_MB) */
              disk_mb?: number;
              /** @description GPUs the container is given: a count, or "all" of the worker's; the run is claimed only by a worker holding the "gpu" tag (its engine has the NVIDIA runtime, or its operator says so), which is added to requires; at most the service's TDS_USER_MAX_GPUS */
              gpus?: number | 'all';
              /** @description environment variables for the command (names starting with TDS_ are reserved) */
              env?: {
                [key: string]: string;
              };
              /** @description names of the user's secrets (PUT /secrets/NAME) the command gets as environment variables of those names, opened when each run starts: the values are never stored with the job, never in its image, and masked (***) in its logs; each must exist when the job is submitted */
              secrets?: string[];
              /** @description the network the container is on: "none" (loopback only: no way in or out) or "bridge" (can reach the internet); default: the service's TDS_DEFAULT_NETWORK */
              network?: 'none' | 'bridge';
              /** @description how many times a run may be attempted when it fails for infrastructure reasons (infra_error), or for a non-zero exit with retry_on_exit_code (default 3) */
              max_attempts?: number;
              /** @description also retry when the command exits non-zero (default false) */
              retry_on_exit_code?: boolean;
              /** @description wait before the second attempt, doubled for each further one, at most 600 s (default 10) */
              retry_backoff_seconds?: number;
              /** @description how often CPU and memory are sampled into metrics.csv */
              metrics_interval_seconds?: number;
              /** @description tags a worker must hold, every one of them, to run this job (a worker holds its TDS_WORKER_TAGS and its platform, e.g. "linux/arm64"); runs that no live worker can take stay queued and say what they wait for */
              requires?: string[];
              /** @description steps that must end before this one starts; omitted, the steps its {{steps.NAME.result}} placeholders name */
              depends_on?: string[];
              /** @description when the step runs: all_succeeded (default; otherwise it is skipped naming the dependency), all_done (once every dependency ended, however), any_failed (only if a dependency failed) */
              run_if?: 'all_succeeded' | 'all_done' | 'any_failed';
              /** @description run the step once per item (up to 10000): a JSON array, or "{{steps.NAME.result}}" of a step whose result is one; each item sees {{item}}, {{index}}, TDS_ITEM and TDS_INDEX */
              for_each?: unknown[] | string;
              /** @description how many failed items a fan-out step tolerates: a count, or a percent such as "10%" (default 0) */
              max_failures?: number | string;
            }[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              workflow: {
                /** Format: uuid */
                id: string;
                userId: string;
                uniqueId: string;
                /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
                definition: {
                  /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                  shared: {
                    source_s3_prefix?: string;
                    /** @description the cron expression; null: not recurring */
                    cron?: string | null;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description at most this many step runs at once */
                  maxParallel: number;
                  steps: ({
                    name: string;
                    dependsOn: string[];
                    /** @description all_succeeded, all_done or any_failed */
                    runIf: string;
                    /** @description how a fan-out step gets its items */
                    forEach?: {
                      kind: 'none' | 'static' | 'dynamic' | 'param';
                      /** @description static: the items */
                      items?: unknown[];
                      /** @description dynamic: the step whose result lists them */
                      step?: string;
                      /** @description param: the list param holding them */
                      param?: string;
                    } & {
                      [key: string]: unknown;
                    };
                    /** @description the step as a job spec (placeholders still in it) */
                    spec: {
                      command?: string | null;
                      image?: string | null;
                      args?: (string[] | string) | (never | null);
                    } & {
                      [key: string]: unknown;
                    };
                  } & {
                    [key: string]: unknown;
                  })[];
                  /** @description the step names in a valid start order */
                  order: string[];
                  /** @description the declared params; absent when none are declared */
                  params?: {
                    [key: string]: {
                      /** @description string, number, boolean or list */
                      type: string;
                      default?: unknown;
                      description?: string;
                    } & {
                      [key: string]: unknown;
                    };
                  };
                } & {
                  [key: string]: unknown;
                };
                /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
                version: number;
                /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
                schedule: {
                  cron: string;
                  timezone: string;
                  /** @description the schedule in words */
                  description: string;
                  overlapPolicy: string;
                  catchUpPolicy: string;
                  catchUpWindowSeconds: number;
                  catchUpLimit: number;
                  paused?: boolean;
                  nextFireTimes?: string[];
                  /** Format: date-time */
                  lastFireAt?: string | null;
                  recentFires?: {
                    /** Format: date-time */
                    fireAt: string;
                    /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                    outcome: string;
                    runId: string | null;
                    /** @description a workflow's fire time: the workflow run it started */
                    workflowRunId?: string;
                    detail: string | null;
                  }[];
                } | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                deletedAt: string | null;
              };
              changed: boolean;
              version: number;
              /** @description when notify_url was added and the workflow had no endpoint for it */
              notify?: {
                webhookId: string;
                /** @description the notify_url's whsec_ signing secret: shown here only */
                secret: string;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    post?: never;
    /**
     * Delete a workflow: no future runs, queued workflow runs cancelled, its history kept and readable
     * @description Workflow runs under way finish. GET /workflows/:id still answers, with `deletedAt`.
     */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string;
              uniqueId: string;
              /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
              definition: {
                /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                shared: {
                  source_s3_prefix?: string;
                  /** @description the cron expression; null: not recurring */
                  cron?: string | null;
                } & {
                  [key: string]: unknown;
                };
                /** @description at most this many step runs at once */
                maxParallel: number;
                steps: ({
                  name: string;
                  dependsOn: string[];
                  /** @description all_succeeded, all_done or any_failed */
                  runIf: string;
                  /** @description how a fan-out step gets its items */
                  forEach?: {
                    kind: 'none' | 'static' | 'dynamic' | 'param';
                    /** @description static: the items */
                    items?: unknown[];
                    /** @description dynamic: the step whose result lists them */
                    step?: string;
                    /** @description param: the list param holding them */
                    param?: string;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description the step as a job spec (placeholders still in it) */
                  spec: {
                    command?: string | null;
                    image?: string | null;
                    args?: (string[] | string) | (never | null);
                  } & {
                    [key: string]: unknown;
                  };
                } & {
                  [key: string]: unknown;
                })[];
                /** @description the step names in a valid start order */
                order: string[];
                /** @description the declared params; absent when none are declared */
                params?: {
                  [key: string]: {
                    /** @description string, number, boolean or list */
                    type: string;
                    default?: unknown;
                    description?: string;
                  } & {
                    [key: string]: unknown;
                  };
                };
              } & {
                [key: string]: unknown;
              };
              /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
              version: number;
              /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
              schedule: {
                cron: string;
                timezone: string;
                /** @description the schedule in words */
                description: string;
                overlapPolicy: string;
                catchUpPolicy: string;
                catchUpWindowSeconds: number;
                catchUpLimit: number;
                paused?: boolean;
                nextFireTimes?: string[];
                /** Format: date-time */
                lastFireAt?: string | null;
                recentFires?: {
                  /** Format: date-time */
                  fireAt: string;
                  /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                  outcome: string;
                  runId: string | null;
                  /** @description a workflow's fire time: the workflow run it started */
                  workflowRunId?: string;
                  detail: string | null;
                }[];
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              deletedAt: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    /**
     * Change a workflow's schedule: cron expression, timezone, overlap or catch-up policy
     * @description Validated as a job's schedule is. The next fire times are recomputed from now; "cron" makes a workflow recurring. Workflow runs already queued or under way are left as they are.
     */
    patch: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description a cron expression (5 fields, or 6 with seconds first) to run the job on a schedule; omit to run once, now */
            cron?: string;
            /** @description IANA timezone the cron expression is read in, e.g. "Europe/Paris" (default UTC) */
            timezone?: string;
            /** @description when a fire time comes while the previous run is still queued or going: skip it (default, recorded), allow a second run alongside, queue_one (buffer one run to start when the previous ends), or replace (cancel the previous run) */
            overlap_policy?: 'skip' | 'allow' | 'queue_one' | 'replace';
            /** @description fire times missed while the service was down: run the latest one within the catch-up window (default), all of them within the window (up to catch_up_limit, one after another), or none; each missed time is recorded */
            catch_up_policy?: 'latest' | 'all' | 'skip';
            /** @description how far back a missed fire time may be and still be caught up (default 3600) */
            catch_up_window_seconds?: number;
            /** @description the most missed fire times caught up at once with catch_up_policy "all" (default 10) */
            catch_up_limit?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string;
              uniqueId: string;
              /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
              definition: {
                /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                shared: {
                  source_s3_prefix?: string;
                  /** @description the cron expression; null: not recurring */
                  cron?: string | null;
                } & {
                  [key: string]: unknown;
                };
                /** @description at most this many step runs at once */
                maxParallel: number;
                steps: ({
                  name: string;
                  dependsOn: string[];
                  /** @description all_succeeded, all_done or any_failed */
                  runIf: string;
                  /** @description how a fan-out step gets its items */
                  forEach?: {
                    kind: 'none' | 'static' | 'dynamic' | 'param';
                    /** @description static: the items */
                    items?: unknown[];
                    /** @description dynamic: the step whose result lists them */
                    step?: string;
                    /** @description param: the list param holding them */
                    param?: string;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description the step as a job spec (placeholders still in it) */
                  spec: {
                    command?: string | null;
                    image?: string | null;
                    args?: (string[] | string) | (never | null);
                  } & {
                    [key: string]: unknown;
                  };
                } & {
                  [key: string]: unknown;
                })[];
                /** @description the step names in a valid start order */
                order: string[];
                /** @description the declared params; absent when none are declared */
                params?: {
                  [key: string]: {
                    /** @description string, number, boolean or list */
                    type: string;
                    default?: unknown;
                    description?: string;
                  } & {
                    [key: string]: unknown;
                  };
                };
              } & {
                [key: string]: unknown;
              };
              /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
              version: number;
              /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
              schedule: {
                cron: string;
                timezone: string;
                /** @description the schedule in words */
                description: string;
                overlapPolicy: string;
                catchUpPolicy: string;
                catchUpWindowSeconds: number;
                catchUpLimit: number;
                paused?: boolean;
                nextFireTimes?: string[];
                /** Format: date-time */
                lastFireAt?: string | null;
                recentFires?: {
                  /** Format: date-time */
                  fireAt: string;
                  /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                  outcome: string;
                  runId: string | null;
                  /** @description a workflow's fire time: the workflow run it started */
                  workflowRunId?: string;
                  detail: string | null;
                }[];
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              deletedAt: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    trace?: never;
  };
  '/workflows/{id}/versions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every definition a workflow has had, newest first, a page at a time */
    get: {
      parameters: {
        query?: {
          /** @description versions in the page (default 10, at most 50) */
          limit?: number;
          /** @description nextCursor of the previous page */
          cursor?: string;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description pass as cursor for the next page; null on the last */
              nextCursor: string | null;
              versions: {
                version: number;
                current: boolean;
                /** Format: date-time */
                replacedAt: string | null;
                /** @description the workflow as stored at that version */
                definition: {
                  /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                  shared: {
                    source_s3_prefix?: string;
                    /** @description the cron expression; null: not recurring */
                    cron?: string | null;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description at most this many step runs at once */
                  maxParallel: number;
                  steps: ({
                    name: string;
                    dependsOn: string[];
                    /** @description all_succeeded, all_done or any_failed */
                    runIf: string;
                    /** @description how a fan-out step gets its items */
                    forEach?: {
                      kind: 'none' | 'static' | 'dynamic' | 'param';
                      /** @description static: the items */
                      items?: unknown[];
                      /** @description dynamic: the step whose result lists them */
                      step?: string;
                      /** @description param: the list param holding them */
                      param?: string;
                    } & {
                      [key: string]: unknown;
                    };
                    /** @description the step as a job spec (placeholders still in it) */
                    spec: {
                      command?: string | null;
                      image?: string | null;
                      args?: (string[] | string) | (never | null);
                    } & {
                      [key: string]: unknown;
                    };
                  } & {
                    [key: string]: unknown;
                  })[];
                  /** @description the step names in a valid start order */
                  order: string[];
                  /** @description the declared params; absent when none are declared */
                  params?: {
                    [key: string]: {
                      /** @description string, number, boolean or list */
                      type: string;
                      default?: unknown;
                      description?: string;
                    } & {
                      [key: string]: unknown;
                    };
                  };
                } & {
                  [key: string]: unknown;
                };
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflow-runs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A workflow run: its state, each step's state, timings, result, run ids and results */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              workflowId: string;
              userId: string;
              uniqueId: string;
              /** @description queued, running, succeeded, failed, cancelled */
              state: string;
              /** @description submit, retry, schedule, catch_up, manual or backfill */
              trigger: string;
              /** Format: date-time */
              scheduledFor: string | null;
              retryOf: string | null;
              fromStep: string | null;
              maxParallel: number;
              failure: {
                step: string | null;
                reason: string;
                message: string;
              } | null;
              cancelRequested: boolean;
              /** @description what the trigger changed of the definition for this run; null when it ran as defined */
              overrides: {
                /** @description merged over the definition's env */
                env?: {
                  [key: string]: string;
                };
                /** @description used instead of the definition's */
                source_s3_prefix?: string;
              } | null;
              /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
              params: {
                [key: string]: unknown;
              } | null;
              timings: {
                /** Format: date-time */
                queuedAt: string | null;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
              };
              results: {
                bucket: string;
                prefix: string;
                uri: string;
                report: {
                  json: string;
                  text: string;
                  /**
                   * Format: date-time
                   * @description when the report was written: null until just after the workflow run ends
                   */
                  writtenAt: string | null;
                };
              };
              steps: {
                name: string;
                /** @description pending, queued, running, succeeded, failed, skipped or cancelled */
                state: string;
                dependsOn: string[];
                runIf: string;
                /** @description why the step was skipped, failed or cancelled */
                reason: string | null;
                /** @description the step's result: the last non-empty line of its stdout; a fan-out step's is the JSON array of its items' results, or null when that came to more than TDS_MAX_RESULT_BYTES (see resultTruncated) */
                result: string | null;
                /** @description a fan-out step's result came to more than TDS_MAX_RESULT_BYTES: result is null, and every item's result is in the step's manifest (<results.uri>items.jsonl, given to its dependants as /job/steps/<name>/items.jsonl) and at GET /workflow-runs/:id/steps/:name/items */
                resultTruncated: boolean;
                exitCode: number | null;
                /** @description the step's run (its last attempt); null for a fan-out step */
                runId: string | null;
                attempts: number;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
                durationSeconds: number | null;
                results: {
                  prefix: string;
                  uri: string;
                };
                /** @description the workflow run whose result and files a retry reused */
                reusedFrom: string | null;
                items: {
                  total: number;
                  pending: number;
                  queued: number;
                  running: number;
                  succeeded: number;
                  failed: number;
                  cancelled: number;
                  skipped: number;
                } | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflow-runs/{id}/states': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A workflow run's state and each step's, to follow it
     * @description What changes while the workflow run runs (its state, failure, timings, and each step's state, reason, exit code, run id, attempts, timings and item counts), without the definition, results and folders of GET /workflow-runs/:id: a client reads that once, then polls this.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** @description queued, running, succeeded, failed, cancelled */
              state: string;
              failure: {
                step: string | null;
                reason: string;
                message: string;
              } | null;
              cancelRequested: boolean;
              timings: {
                /** Format: date-time */
                queuedAt: string | null;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
              };
              steps: {
                name: string;
                /** @description pending, queued, running, succeeded, failed, skipped or cancelled */
                state: string;
                reason: string | null;
                exitCode: number | null;
                runId: string | null;
                attempts: number;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
                durationSeconds: number | null;
                items: {
                  total: number;
                  pending: number;
                  queued: number;
                  running: number;
                  succeeded: number;
                  failed: number;
                  cancelled: number;
                  skipped: number;
                } | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflow-runs/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a workflow run
     * @description Queued steps end cancelled, running steps' containers are stopped (their logs uploaded), steps not started end cancelled, and the workflow run ends cancelled.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              workflowId: string;
              userId: string;
              uniqueId: string;
              /** @description queued, running, succeeded, failed, cancelled */
              state: string;
              /** @description submit, retry, schedule, catch_up, manual or backfill */
              trigger: string;
              /** Format: date-time */
              scheduledFor: string | null;
              retryOf: string | null;
              fromStep: string | null;
              maxParallel: number;
              failure: {
                step: string | null;
                reason: string;
                message: string;
              } | null;
              cancelRequested: boolean;
              /** @description what the trigger changed of the definition for this run; null when it ran as defined */
              overrides: {
                /** @description merged over the definition's env */
                env?: {
                  [key: string]: string;
                };
                /** @description used instead of the definition's */
                source_s3_prefix?: string;
              } | null;
              /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
              params: {
                [key: string]: unknown;
              } | null;
              timings: {
                /** Format: date-time */
                queuedAt: string | null;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
              };
              results: {
                bucket: string;
                prefix: string;
                uri: string;
                report: {
                  json: string;
                  text: string;
                  /**
                   * Format: date-time
                   * @description when the report was written: null until just after the workflow run ends
                   */
                  writtenAt: string | null;
                };
              };
              steps: {
                name: string;
                /** @description pending, queued, running, succeeded, failed, skipped or cancelled */
                state: string;
                dependsOn: string[];
                runIf: string;
                /** @description why the step was skipped, failed or cancelled */
                reason: string | null;
                /** @description the step's result: the last non-empty line of its stdout; a fan-out step's is the JSON array of its items' results, or null when that came to more than TDS_MAX_RESULT_BYTES (see resultTruncated) */
                result: string | null;
                /** @description a fan-out step's result came to more than TDS_MAX_RESULT_BYTES: result is null, and every item's result is in the step's manifest (<results.uri>items.jsonl, given to its dependants as /job/steps/<name>/items.jsonl) and at GET /workflow-runs/:id/steps/:name/items */
                resultTruncated: boolean;
                exitCode: number | null;
                /** @description the step's run (its last attempt); null for a fan-out step */
                runId: string | null;
                attempts: number;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
                durationSeconds: number | null;
                results: {
                  prefix: string;
                  uri: string;
                };
                /** @description the workflow run whose result and files a retry reused */
                reusedFrom: string | null;
                items: {
                  total: number;
                  pending: number;
                  queued: number;
                  running: number;
                  succeeded: number;
                  failed: number;
                  cancelled: number;
                  skipped: number;
                } | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflow-runs/{id}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Retry a workflow run
     * @description Starts a new workflow run that reuses every succeeded step's result and files and runs the failed, cancelled and skipped steps again; `from=STEP` also reruns STEP and everything downstream of it.
     */
    post: {
      parameters: {
        query?: {
          /** @description a step to rerun with everything downstream of it */
          from?: string;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              workflowId: string;
              userId: string;
              uniqueId: string;
              /** @description queued, running, succeeded, failed, cancelled */
              state: string;
              /** @description submit, retry, schedule, catch_up, manual or backfill */
              trigger: string;
              /** Format: date-time */
              scheduledFor: string | null;
              retryOf: string | null;
              fromStep: string | null;
              maxParallel: number;
              failure: {
                step: string | null;
                reason: string;
                message: string;
              } | null;
              cancelRequested: boolean;
              /** @description what the trigger changed of the definition for this run; null when it ran as defined */
              overrides: {
                /** @description merged over the definition's env */
                env?: {
                  [key: string]: string;
                };
                /** @description used instead of the definition's */
                source_s3_prefix?: string;
              } | null;
              /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
              params: {
                [key: string]: unknown;
              } | null;
              timings: {
                /** Format: date-time */
                queuedAt: string | null;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
              };
              results: {
                bucket: string;
                prefix: string;
                uri: string;
                report: {
                  json: string;
                  text: string;
                  /**
                   * Format: date-time
                   * @description when the report was written: null until just after the workflow run ends
                   */
                  writtenAt: string | null;
                };
              };
              steps: {
                name: string;
                /** @description pending, queued, running, succeeded, failed, skipped or cancelled */
                state: string;
                dependsOn: string[];
                runIf: string;
                /** @description why the step was skipped, failed or cancelled */
                reason: string | null;
                /** @description the step's result: the last non-empty line of its stdout; a fan-out step's is the JSON array of its items' results, or null when that came to more than TDS_MAX_RESULT_BYTES (see resultTruncated) */
                result: string | null;
                /** @description a fan-out step's result came to more than TDS_MAX_RESULT_BYTES: result is null, and every item's result is in the step's manifest (<results.uri>items.jsonl, given to its dependants as /job/steps/<name>/items.jsonl) and at GET /workflow-runs/:id/steps/:name/items */
                resultTruncated: boolean;
                exitCode: number | null;
                /** @description the step's run (its last attempt); null for a fan-out step */
                runId: string | null;
                attempts: number;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
                durationSeconds: number | null;
                results: {
                  prefix: string;
                  uri: string;
                };
                /** @description the workflow run whose result and files a retry reused */
                reusedFrom: string | null;
                items: {
                  total: number;
                  pending: number;
                  queued: number;
                  running: number;
                  succeeded: number;
                  failed: number;
                  cancelled: number;
                  skipped: number;
                } | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/pause': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Pause a recurring workflow: no fire time is acted on until it is resumed */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string;
              uniqueId: string;
              /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
              definition: {
                /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                shared: {
                  source_s3_prefix?: string;
                  /** @description the cron expression; null: not recurring */
                  cron?: string | null;
                } & {
                  [key: string]: unknown;
                };
                /** @description at most this many step runs at once */
                maxParallel: number;
                steps: ({
                  name: string;
                  dependsOn: string[];
                  /** @description all_succeeded, all_done or any_failed */
                  runIf: string;
                  /** @description how a fan-out step gets its items */
                  forEach?: {
                    kind: 'none' | 'static' | 'dynamic' | 'param';
                    /** @description static: the items */
                    items?: unknown[];
                    /** @description dynamic: the step whose result lists them */
                    step?: string;
                    /** @description param: the list param holding them */
                    param?: string;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description the step as a job spec (placeholders still in it) */
                  spec: {
                    command?: string | null;
                    image?: string | null;
                    args?: (string[] | string) | (never | null);
                  } & {
                    [key: string]: unknown;
                  };
                } & {
                  [key: string]: unknown;
                })[];
                /** @description the step names in a valid start order */
                order: string[];
                /** @description the declared params; absent when none are declared */
                params?: {
                  [key: string]: {
                    /** @description string, number, boolean or list */
                    type: string;
                    default?: unknown;
                    description?: string;
                  } & {
                    [key: string]: unknown;
                  };
                };
              } & {
                [key: string]: unknown;
              };
              /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
              version: number;
              /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
              schedule: {
                cron: string;
                timezone: string;
                /** @description the schedule in words */
                description: string;
                overlapPolicy: string;
                catchUpPolicy: string;
                catchUpWindowSeconds: number;
                catchUpLimit: number;
                paused?: boolean;
                nextFireTimes?: string[];
                /** Format: date-time */
                lastFireAt?: string | null;
                recentFires?: {
                  /** Format: date-time */
                  fireAt: string;
                  /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                  outcome: string;
                  runId: string | null;
                  /** @description a workflow's fire time: the workflow run it started */
                  workflowRunId?: string;
                  detail: string | null;
                }[];
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              deletedAt: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Resume a paused workflow from its next fire time (fire times while paused are not caught up) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              userId: string;
              uniqueId: string;
              /** @description the workflow as stored: shared fields, max_parallel, each step as a job spec */
              definition: {
                /** @description the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies) */
                shared: {
                  source_s3_prefix?: string;
                  /** @description the cron expression; null: not recurring */
                  cron?: string | null;
                } & {
                  [key: string]: unknown;
                };
                /** @description at most this many step runs at once */
                maxParallel: number;
                steps: ({
                  name: string;
                  dependsOn: string[];
                  /** @description all_succeeded, all_done or any_failed */
                  runIf: string;
                  /** @description how a fan-out step gets its items */
                  forEach?: {
                    kind: 'none' | 'static' | 'dynamic' | 'param';
                    /** @description static: the items */
                    items?: unknown[];
                    /** @description dynamic: the step whose result lists them */
                    step?: string;
                    /** @description param: the list param holding them */
                    param?: string;
                  } & {
                    [key: string]: unknown;
                  };
                  /** @description the step as a job spec (placeholders still in it) */
                  spec: {
                    command?: string | null;
                    image?: string | null;
                    args?: (string[] | string) | (never | null);
                  } & {
                    [key: string]: unknown;
                  };
                } & {
                  [key: string]: unknown;
                })[];
                /** @description the step names in a valid start order */
                order: string[];
                /** @description the declared params; absent when none are declared */
                params?: {
                  [key: string]: {
                    /** @description string, number, boolean or list */
                    type: string;
                    default?: unknown;
                    description?: string;
                  } & {
                    [key: string]: unknown;
                  };
                };
              } & {
                [key: string]: unknown;
              };
              /** @description counts the definitions it has had (PUT /workflows/:id adds one) */
              version: number;
              /** @description a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires */
              schedule: {
                cron: string;
                timezone: string;
                /** @description the schedule in words */
                description: string;
                overlapPolicy: string;
                catchUpPolicy: string;
                catchUpWindowSeconds: number;
                catchUpLimit: number;
                paused?: boolean;
                nextFireTimes?: string[];
                /** Format: date-time */
                lastFireAt?: string | null;
                recentFires?: {
                  /** Format: date-time */
                  fireAt: string;
                  /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
                  outcome: string;
                  runId: string | null;
                  /** @description a workflow's fire time: the workflow run it started */
                  workflowRunId?: string;
                  detail: string | null;
                }[];
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              deletedAt: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/trigger': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Start a workflow run now, whatever the schedule (recurring or not); optionally with params, other env values or another input prefix
     * @description The body is optional: `params` gives the workflow's declared params (those left out take their defaults; one without a default must be given), `env` is merged over every step's, `source_s3_prefix` replaces the input folder of every step. Checked as a submitted workflow's fields are (400 naming the field); the workflow run shows them as `params` and `overrides`.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      /** @description what this run changes of its definition; an empty body (or none) runs it as defined */
      requestBody: {
        content: {
          'application/json': {
            /** @description environment variables merged over the definition's (and each step's) for this run only, by the rules of a definition's env: names starting with TDS_ are reserved, and a secret's name cannot be replaced */
            env?: {
              [key: string]: string;
            };
            /** @description another folder of the definition's bucket whose objects become the inputs of this run (of every step of a workflow run); "" for the whole bucket; a leading "/" is dropped, ".." is refused */
            source_s3_prefix?: string;
            /** @description a workflow's declared params for this run: NAME → value of its type (a number, boolean or list may also be given as text, as `tds trigger --set` sends it); params not given take their defaults */
            params?: {
              [key: string]: unknown;
            };
          } | null;
        };
      };
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              workflowId: string;
              userId: string;
              uniqueId: string;
              /** @description queued, running, succeeded, failed, cancelled */
              state: string;
              /** @description submit, retry, schedule, catch_up, manual or backfill */
              trigger: string;
              /** Format: date-time */
              scheduledFor: string | null;
              retryOf: string | null;
              fromStep: string | null;
              maxParallel: number;
              failure: {
                step: string | null;
                reason: string;
                message: string;
              } | null;
              cancelRequested: boolean;
              /** @description what the trigger changed of the definition for this run; null when it ran as defined */
              overrides: {
                /** @description merged over the definition's env */
                env?: {
                  [key: string]: string;
                };
                /** @description used instead of the definition's */
                source_s3_prefix?: string;
              } | null;
              /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
              params: {
                [key: string]: unknown;
              } | null;
              timings: {
                /** Format: date-time */
                queuedAt: string | null;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
              };
              results: {
                bucket: string;
                prefix: string;
                uri: string;
                report: {
                  json: string;
                  text: string;
                  /**
                   * Format: date-time
                   * @description when the report was written: null until just after the workflow run ends
                   */
                  writtenAt: string | null;
                };
              };
              steps: {
                name: string;
                /** @description pending, queued, running, succeeded, failed, skipped or cancelled */
                state: string;
                dependsOn: string[];
                runIf: string;
                /** @description why the step was skipped, failed or cancelled */
                reason: string | null;
                /** @description the step's result: the last non-empty line of its stdout; a fan-out step's is the JSON array of its items' results, or null when that came to more than TDS_MAX_RESULT_BYTES (see resultTruncated) */
                result: string | null;
                /** @description a fan-out step's result came to more than TDS_MAX_RESULT_BYTES: result is null, and every item's result is in the step's manifest (<results.uri>items.jsonl, given to its dependants as /job/steps/<name>/items.jsonl) and at GET /workflow-runs/:id/steps/:name/items */
                resultTruncated: boolean;
                exitCode: number | null;
                /** @description the step's run (its last attempt); null for a fan-out step */
                runId: string | null;
                attempts: number;
                /** Format: date-time */
                startedAt: string | null;
                /** Format: date-time */
                endedAt: string | null;
                durationSeconds: number | null;
                results: {
                  prefix: string;
                  uri: string;
                };
                /** @description the workflow run whose result and files a retry reused */
                reusedFrom: string | null;
                items: {
                  total: number;
                  pending: number;
                  queued: number;
                  running: number;
                  succeeded: number;
                  failed: number;
                  cancelled: number;
                  skipped: number;
                } | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/backfill': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Start a workflow run for each fire time of a recurring workflow's cron in a past period [from, to)
     * @description As POST /jobs/:id/backfill: each workflow run has its fire time as `scheduledFor` and its params at their defaults; one after another unless the overlap policy is `allow`; at most TDS_BACKFILL_MAX_RUNS; `?dry_run=true` lists the fire times only.
     */
    post: {
      parameters: {
        query?: {
          /** @description list the fire times of the period without queuing anything (200) */
          dry_run?: boolean;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description the start of the period, an ISO 8601 instant with its offset, such as 2026-03-01T00:00:00Z (a fire time at it is included) */
            from: string;
            /** @description the end of the period, an ISO 8601 instant with its offset, not after now (a fire time at it is left out) */
            to: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              dryRun: boolean;
              /** Format: date-time */
              from: string;
              /** Format: date-time */
              to: string;
              /** @description fire times in [from, to) */
              count: number;
              /** @description one per fire time, oldest first */
              runs: {
                /** @description the run (of a job) or workflow run (of a workflow) queued for this fire time; null in a dry run */
                id: string | null;
                /**
                 * Format: date-time
                 * @description the fire time, its scheduledFor
                 */
                scheduledFor: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              dryRun: boolean;
              /** Format: date-time */
              from: string;
              /** Format: date-time */
              to: string;
              /** @description fire times in [from, to) */
              count: number;
              /** @description one per fire time, oldest first */
              runs: {
                /** @description the run (of a job) or workflow run (of a workflow) queued for this fire time; null in a dry run */
                id: string | null;
                /**
                 * Format: date-time
                 * @description the fire time, its scheduledFor
                 */
                scheduledFor: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflows/{id}/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A workflow's runs, newest first, a page at a time
     * @description Each workflow run as a summary (its steps counted by state), newest first by the time each was queued. Pass nextCursor as cursor for the next page: pages neither skip nor repeat runs while new ones start.
     */
    get: {
      parameters: {
        query?: {
          /** @description workflow runs per page */
          limit?: number;
          /** @description nextCursor of the previous page, to read the next one (keep the same filters) */
          cursor?: string;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description newest first (by the time each was queued); GET /workflow-runs/:id has the steps */
              workflowRuns: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                workflowId: string;
                userId: string;
                uniqueId: string;
                /** @description queued, running, succeeded, failed, cancelled */
                state: string;
                /** @description submit, retry, schedule, catch_up, manual or backfill */
                trigger: string;
                /** Format: date-time */
                scheduledFor: string | null;
                retryOf: string | null;
                fromStep: string | null;
                maxParallel: number;
                failure: {
                  step: string | null;
                  reason: string;
                  message: string;
                } | null;
                cancelRequested: boolean;
                /** @description what the trigger changed of the definition for this run; null when it ran as defined */
                overrides: {
                  /** @description merged over the definition's env */
                  env?: {
                    [key: string]: string;
                  };
                  /** @description used instead of the definition's */
                  source_s3_prefix?: string;
                } | null;
                /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
                params: {
                  [key: string]: unknown;
                } | null;
                timings: {
                  /** Format: date-time */
                  queuedAt: string | null;
                  /** Format: date-time */
                  startedAt: string | null;
                  /** Format: date-time */
                  endedAt: string | null;
                };
                results: {
                  bucket: string;
                  prefix: string;
                  uri: string;
                  report: {
                    json: string;
                    text: string;
                    /**
                     * Format: date-time
                     * @description when the report was written: null until just after the workflow run ends
                     */
                    writtenAt: string | null;
                  };
                };
                /** @description how many of its steps are in each state (pending, queued, running, succeeded, …) */
                stepCounts: {
                  [key: string]: number;
                };
              }[];
              /** @description pass as cursor for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflow-runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A user's workflow runs, newest first, a page at a time
     * @description Workflow runs as summaries, newest first, filtered by workflow and state. A user's key lists its own user's only, and must name it in userId; an operator lists any user's, or every user's without userId.
     */
    get: {
      parameters: {
        query?: {
          /** @description whose workflow runs to list: required with a user's key (its own user); an operator may leave it out for every user's */
          userId?: string;
          /** @description only this workflow's runs */
          workflowId?: string;
          /** @description only workflow runs in these states: one or more of queued, running, succeeded, failed, cancelled, comma-separated */
          state?: string;
          /** @description workflow runs per page */
          limit?: number;
          /** @description nextCursor of the previous page, to read the next one (keep the same filters) */
          cursor?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description newest first (by the time each was queued); GET /workflow-runs/:id has the steps */
              workflowRuns: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                workflowId: string;
                userId: string;
                uniqueId: string;
                /** @description queued, running, succeeded, failed, cancelled */
                state: string;
                /** @description submit, retry, schedule, catch_up, manual or backfill */
                trigger: string;
                /** Format: date-time */
                scheduledFor: string | null;
                retryOf: string | null;
                fromStep: string | null;
                maxParallel: number;
                failure: {
                  step: string | null;
                  reason: string;
                  message: string;
                } | null;
                cancelRequested: boolean;
                /** @description what the trigger changed of the definition for this run; null when it ran as defined */
                overrides: {
                  /** @description merged over the definition's env */
                  env?: {
                    [key: string]: string;
                  };
                  /** @description used instead of the definition's */
                  source_s3_prefix?: string;
                } | null;
                /** @description the values of the workflow's declared params this run used (given by its trigger, or defaults); null when it declares none */
                params: {
                  [key: string]: unknown;
                } | null;
                timings: {
                  /** Format: date-time */
                  queuedAt: string | null;
                  /** Format: date-time */
                  startedAt: string | null;
                  /** Format: date-time */
                  endedAt: string | null;
                };
                results: {
                  bucket: string;
                  prefix: string;
                  uri: string;
                  report: {
                    json: string;
                    text: string;
                    /**
                     * Format: date-time
                     * @description when the report was written: null until just after the workflow run ends
                     */
                    writtenAt: string | null;
                  };
                };
                /** @description how many of its steps are in each state (pending, queued, running, succeeded, …) */
                stepCounts: {
                  [key: string]: number;
                };
              }[];
              /** @description pass as cursor for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/workflow-runs/{id}/steps/{name}/items': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A fan-out step's items, a page at a time
     * @description Each item of the step in index order, with its state, its run (the latest attempt), exit code, attempts, result (the run's last non-empty line of stdout, as text), failure reason and results folder. A step without for_each has none (400).
     */
    get: {
      parameters: {
        query?: {
          /** @description only items in these states: one or more of pending, queued, running, succeeded, failed, cancelled, skipped, comma-separated */
          state?: string;
          /** @description items per page */
          limit?: number;
          /** @description nextCursor of the previous page, to read the next one (keep the same filters) */
          cursor?: string;
        };
        header?: never;
        path: {
          id: string;
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                index: number;
                /** @description the item, as for_each gave it */
                item: unknown;
                /** @description pending, queued, running, succeeded, failed, cancelled, skipped */
                state: string;
                /** @description the item's run (its latest attempt) */
                runId: string | null;
                exitCode: number | null;
                attempts: number;
                result: string | null;
                /** @description why the item's run failed, timed out or was cancelled (reason: message) */
                reason: string | null;
                /** @description the item's run's results folder, s3://bucket/prefix/ */
                results: string | null;
              }[];
              /** @description pass as cursor for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A user's webhook endpoints (never their secrets) */
    get: {
      parameters: {
        query: {
          userId: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              webhooks: {
                id: string;
                userId: string;
                url: string;
                events: string[];
                /** @description set for a job's notify_url */
                jobId: string | null;
                /** @description set for a workflow's notify_url */
                workflowId: string | null;
                description: string | null;
                enabled: boolean;
                /** Format: date-time */
                disabledAt: string | null;
                disabledReason: string | null;
                /** Format: date-time */
                previousSecretValidUntil: string | null;
                /** Format: date-time */
                createdAt: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    /**
     * Register a webhook endpoint: a URL and the events it wants
     * @description Deliveries follow the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature). The URL must resolve to public addresses unless the operator allows private ones. The secret is in this answer only.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            userId: string;
            url: string;
            /** @description any of run.succeeded, run.failed, run.cancelled, run.timed_out, workflow_run.started, workflow_run.succeeded, workflow_run.failed, workflow_run.cancelled, schedule.fire_skipped */
            events: (
              | 'run.succeeded'
              | 'run.failed'
              | 'run.cancelled'
              | 'run.timed_out'
              | 'workflow_run.started'
              | 'workflow_run.succeeded'
              | 'workflow_run.failed'
              | 'workflow_run.cancelled'
              | 'schedule.fire_skipped'
            )[];
            description?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              webhook: {
                id: string;
                userId: string;
                url: string;
                events: string[];
                /** @description set for a job's notify_url */
                jobId: string | null;
                /** @description set for a workflow's notify_url */
                workflowId: string | null;
                description: string | null;
                enabled: boolean;
                /** Format: date-time */
                disabledAt: string | null;
                disabledReason: string | null;
                /** Format: date-time */
                previousSecretValidUntil: string | null;
                /** Format: date-time */
                createdAt: string;
              };
              /** @description the whsec_ signing secret: shown here only, keep it */
              secret: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A webhook endpoint */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              userId: string;
              url: string;
              events: string[];
              /** @description set for a job's notify_url */
              jobId: string | null;
              /** @description set for a workflow's notify_url */
              workflowId: string | null;
              description: string | null;
              enabled: boolean;
              /** Format: date-time */
              disabledAt: string | null;
              disabledReason: string | null;
              /** Format: date-time */
              previousSecretValidUntil: string | null;
              /** Format: date-time */
              createdAt: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    /** Delete a webhook endpoint, with its deliveries: nothing more is sent to it */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{id}/rotate-secret': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A new secret; the previous one keeps signing, beside it, for 24 hours */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              webhook: {
                id: string;
                userId: string;
                url: string;
                events: string[];
                /** @description set for a job's notify_url */
                jobId: string | null;
                /** @description set for a workflow's notify_url */
                workflowId: string | null;
                description: string | null;
                enabled: boolean;
                /** Format: date-time */
                disabledAt: string | null;
                disabledReason: string | null;
                /** Format: date-time */
                previousSecretValidUntil: string | null;
                /** Format: date-time */
                createdAt: string;
              };
              /** @description the whsec_ signing secret: shown here only, keep it */
              secret: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{id}/enable': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Turn a disabled endpoint back on (one that answered 410, was disabled, or lost its notify_url) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              userId: string;
              url: string;
              events: string[];
              /** @description set for a job's notify_url */
              jobId: string | null;
              /** @description set for a workflow's notify_url */
              workflowId: string | null;
              description: string | null;
              enabled: boolean;
              /** Format: date-time */
              disabledAt: string | null;
              disabledReason: string | null;
              /** Format: date-time */
              previousSecretValidUntil: string | null;
              /** Format: date-time */
              createdAt: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{id}/disable': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Turn an endpoint off: nothing more is sent to it until it is enabled again
     * @description No delivery is queued for it while it is off, and its pending deliveries fail; its deliveries stay listed. Disabling a disabled endpoint changes nothing.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              userId: string;
              url: string;
              events: string[];
              /** @description set for a job's notify_url */
              jobId: string | null;
              /** @description set for a workflow's notify_url */
              workflowId: string | null;
              description: string | null;
              enabled: boolean;
              /** Format: date-time */
              disabledAt: string | null;
              disabledReason: string | null;
              /** Format: date-time */
              previousSecretValidUntil: string | null;
              /** Format: date-time */
              createdAt: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{id}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** An endpoint's deliveries, newest first, each with every attempt */
    get: {
      parameters: {
        query?: {
          limit?: number;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              deliveries: {
                id: string;
                /** @description the webhook-id header sent, the same on every attempt */
                webhookId: string;
                eventId: string;
                eventType: string;
                state: 'pending' | 'delivered' | 'failed';
                attempts: number;
                /** Format: date-time */
                nextAttemptAt: string | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                endedAt: string | null;
                lastError: string | null;
                history: {
                  attempt: number;
                  at: string;
                  status: number | null;
                  error: string | null;
                  durationMs: number;
                }[];
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhook-deliveries/{id}/redeliver': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Send a delivery again, now, with the same webhook-id */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              /** @enum {string} */
              state: 'pending';
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/secrets/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Set a secret (create it, or replace its value)
     * @description The value is sealed (AES-256-GCM) before it is stored and is never shown again by any route: jobs name the secret in `secrets` and their containers get it as the environment variable of its name, masked (***) in their logs. A user's own key only (an operator key gets 403). 201 when created, 200 when replaced. Refused: more than TDS_SECRETS_MAX_PER_USER secrets (403), a value over TDS_SECRET_MAX_VALUE_BYTES (400); 503 when the service has no secrets key (TDS_SECRETS_KEY).
     */
    put: {
      parameters: {
        query?: {
          /** @description whose secrets: a user's key may leave it out (its own) or name itself; an operator names the user */
          userId?: string;
        };
        header?: never;
        path: {
          /** @description the secret's name, which is also the environment variable it becomes: a letter or "_", then letters, digits or "_" (up to 128) */
          name: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description the secret value (never shown again) */
            value: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              name: string;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description when its value was last set
               */
              updatedAt: string;
            };
          };
        };
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              name: string;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description when its value was last set
               */
              updatedAt: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    post?: never;
    /**
     * Delete a secret
     * @description A user's own key only (an operator key gets 403). Jobs that name it are refused at their next run's start (input_error, naming it) until it is set again.
     */
    delete: {
      parameters: {
        query?: {
          /** @description whose secrets: a user's key may leave it out (its own) or name itself; an operator names the user */
          userId?: string;
        };
        header?: never;
        path: {
          /** @description the secret's name, which is also the environment variable it becomes: a letter or "_", then letters, digits or "_" (up to 128) */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/secrets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A user's secrets: names and dates, never values
     * @description A user's key lists its own; an operator lists any user's with ?userId= (names only: no route shows a value to anyone).
     */
    get: {
      parameters: {
        query?: {
          /** @description whose secrets: a user's key may leave it out (its own) or name itself; an operator names the user */
          userId?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              userId: string;
              secrets: {
                name: string;
                /** Format: date-time */
                createdAt: string;
                /**
                 * Format: date-time
                 * @description when its value was last set
                 */
                updatedAt: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Events as they happen (Server-Sent Events): runs ended, workflow runs started and ended, fires skipped
     * @description The same events as webhooks, as `text/event-stream`: each with `id` (a cursor), `event` (its type) and `data` ({ type, timestamp, data }). Reconnect with the header Last-Event-ID (or ?after=) to resume after the last event received, none lost or repeated. A user key sees its own events (userId must name it); an operator key every user's, or one user's with userId. Events go out as fast as the client reads them: one that falls behind is paused and then served from where it is, at its own pace. A server keeps at most TDS_STREAMS_PER_USER streams open per user and TDS_STREAMS_PER_PROCESS in all (log streams included); past either, 429 with Retry-After.
     */
    get: {
      parameters: {
        query?: {
          userId?: string;
          /** @description comma-separated event types (run.succeeded, run.failed, run.cancelled, run.timed_out, workflow_run.started, workflow_run.succeeded, workflow_run.failed, workflow_run.cancelled, schedule.fire_skipped); all when absent */
          types?: string;
          /** @description resume after this event id (as Last-Event-ID) */
          after?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description text/event-stream */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': string;
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics (text exposition format); see docs/metrics.md */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description text/plain; version=0.0.4 */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': string;
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * CPU-seconds, memory GB-seconds, runs and run time over a range of days, grouped
     * @description What runs used, counted when each ended, per day (UTC). A user's key reads its own user's usage only, and must name it in userId; an operator reads any user's, or every user's without userId. from is the first day counted and to the day after the last (without them: the last 7 days, today included); the range is at most TDS_USAGE_MAX_RANGE_DAYS. groupBy job (jobs' runs) or workflow (workflows' step runs) or user or day (every run). See docs/usage.md.
     */
    get: {
      parameters: {
        query?: {
          /** @description whose usage: required with a user's key (its own user); an operator may leave it out for every user's */
          userId?: string;
          /** @description the first day counted; default: 6 days before today (YYYY-MM-DD, a day in UTC) */
          from?: string;
          /** @description the day after the last one counted; default: tomorrow (YYYY-MM-DD, a day in UTC) */
          to?: string;
          /** @description what each group is; default: day */
          groupBy?: 'job' | 'workflow' | 'user' | 'day';
          /** @description only this job's runs */
          jobId?: string;
          /** @description only this workflow's runs */
          workflowId?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the first day counted */
              from: string;
              /** @description the day after the last one counted */
              to: string;
              groupBy: string;
              /** @description whose usage; null: every user's */
              userId: string | null;
              /** @description days in order; jobs, workflows and users the most CPU first */
              groups: {
                /** @description the job's or workflow's id, the user's id, or the day */
                key: string;
                /** @description the job's or workflow's uniqueId; null for other groups */
                uniqueId: string | null;
                /** @description whose job, workflow or usage it is */
                userId: string | null;
                /** @description runs that ended, whose container ran */
                runs: number;
                /** @description seconds the runs' containers ran, in all */
                runSeconds: number;
                /** @description CPU used, in seconds of one whole core: each run its average CPU × its run time */
                cpuSeconds: number;
                /** @description memory held, in GB-seconds (GB = 2^30 bytes): each run its average memory × its run time */
                memoryGbSeconds: number;
                /** @description the same in byte-seconds */
                memoryByteSeconds: number;
              }[];
              /** @description more groups than TDS_USAGE_MAX_GROUPS: the rest are left out of groups, never of total */
              truncated: boolean;
              /** @description everything the report covers */
              total: {
                /** @description runs that ended, whose container ran */
                runs: number;
                /** @description seconds the runs' containers ran, in all */
                runSeconds: number;
                /** @description CPU used, in seconds of one whole core: each run its average CPU × its run time */
                cpuSeconds: number;
                /** @description memory held, in GB-seconds (GB = 2^30 bytes): each run its average memory × its run time */
                memoryGbSeconds: number;
                /** @description the same in byte-seconds */
                memoryByteSeconds: number;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{id}/files': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A run's result files, each with a short-lived download link
     * @description Every file under the run's results folder (logs, run.json, metrics, outputs/...), path relative to it. Each url is a link to this API (GET /files?token=), signed and valid for TDS_DOWNLOAD_LINK_SECONDS: it needs no key, so hand it only to whoever may read the file. Empty until the run has uploaded its results.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              runId: string;
              state: string;
              expiresInSeconds: number;
              files: {
                path: string;
                size: number;
                url: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/files': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Download one result file through a link from GET /runs/:id/files */
    get: {
      parameters: {
        query: {
          /** @description from a url of GET /runs/:id/files */
          token: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description the file, as stored */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': unknown;
          };
        };
        /** @description Default Response */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error */
              error: string;
              /** @description what is wrong and what to do about it */
              message: string;
              details?: string[];
              /** @description every problem found, each at the field it concerns */
              problems?: {
                /** @description a JSON Pointer into the request body ("" for the body as a whole) */
                path: string;
                message: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** Job */
    'def-0': {
      /** Format: uuid */
      id: string;
      userId: string;
      uniqueId: string;
      spec: {
        userId: string;
        uniqueId: string;
        s3_bucket: string;
        source_s3_prefix: string;
        destination_s3_prefix: string;
        /** @description the shell command; null when the job runs an image */
        command: string | null;
        /** @description the prebuilt image the job runs; null for a command */
        image: string | null;
        args: (string[] | string) | (never | null);
        /** @description files from a workflow's earlier steps, staged under /job/steps/<name>/ */
        step_inputs: {
          name: string;
          bucket: string;
          prefix: string;
          /** @description only this object under prefix (a fan-out step's manifest, items.jsonl) */
          file?: string;
        }[];
        capture_result: boolean;
        linux_dependencies: string[];
        cron: string | null;
        timezone: string;
        overlap_policy: string;
        catch_up_policy: string;
        catch_up_window_seconds: number;
        catch_up_limit: number;
        max_attempts: number;
        retry_on_exit_code: boolean;
        retry_backoff_seconds: number;
        timeout_seconds: number;
        cpus: number;
        memory_mb: number;
        /** @description GPUs the container is given, a count or "all" (absent: none) */
        gpus?: number | 'all';
        /** @description disk in MiB the run may fill in /job/output (absent: TDS_DEFAULT_DISK_MB) */
        disk_mb?: number;
        env: {
          [key: string]: string;
        };
        /** @description a fan-out item's run only: why it could not run (a {{item.FIELD}} the item lacks, or a refused image filled from it), found when it was queued; the run failed with it (input_error) without running */
        item_problem?: string;
        /** @description names of the user's secrets given to the command as environment variables (never their values) */
        secrets?: string[];
        base_image: string;
        metrics_interval_seconds: number;
        /** @description none or bridge */
        network?: string;
        notify_url?: string;
        /** @description tags the worker must hold */
        requires?: string[];
      };
      schedule: {
        cron: string;
        timezone: string;
        /** @description the schedule in words */
        description: string;
        overlapPolicy: string;
        catchUpPolicy: string;
        catchUpWindowSeconds: number;
        catchUpLimit: number;
        paused?: boolean;
        nextFireTimes?: string[];
        /** Format: date-time */
        lastFireAt?: string | null;
        recentFires?: {
          /** Format: date-time */
          fireAt: string;
          /** @description queued, caught_up, skipped_overlap, skipped_buffer_full or missed */
          outcome: string;
          runId: string | null;
          /** @description a workflow's fire time: the workflow run it started */
          workflowRunId?: string;
          detail: string | null;
        }[];
      } | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      /** Format: date-time */
      deletedAt: string | null;
      /** @description how many definitions the job has had: 1, then one more for each change (PUT, PATCH) */
      version: number;
    };
    /** Run */
    'def-1': {
      /** Format: uuid */
      id: string;
      /**
       * Format: uuid
       * @description the run's job; null for a workflow's step
       */
      jobId: string | null;
      /**
       * Format: uuid
       * @description the workflow run a step belongs to; null for a job run
       */
      workflowRunId: string | null;
      /** @description the workflow step this run is; null for a job run */
      stepName: string | null;
      /** @description a fan-out step's item this run is; null otherwise */
      itemIndex: number | null;
      /** @enum {unknown} */
      state:
        | 'queued'
        | 'staging'
        | 'building'
        | 'running'
        | 'uploading'
        | 'succeeded'
        | 'failed'
        | 'cancelled'
        | 'timed_out';
      /** @description submit, schedule, catch_up, manual, retry, workflow or backfill */
      trigger: string;
      /** Format: date-time */
      scheduledFor: string | null;
      /** @description what the trigger changed of the definition for this run; null when it ran as defined */
      overrides: {
        /** @description merged over the definition's env */
        env?: {
          [key: string]: string;
        };
        /** @description used instead of the definition's */
        source_s3_prefix?: string;
      } | null;
      /** @description which attempt of the job this is: 1, or more for a retry */
      attempt: number;
      /** @description the failed run this one retries */
      retryOf: string | null;
      /**
       * Format: date-time
       * @description a retry waits until then
       */
      notBefore: string | null;
      exitCode: number | null;
      failure: {
        /** @description input_error, build_error, image_error, exit_code, timeout, limit_exceeded, disk_limit_exceeded, result_too_large, upload_error, infra_error, not_allowed or cancelled */
        reason: string;
        message: string;
      } | null;
      /** @description with capture_result: the last non-empty line of stdout (a trailing carriage return left out); null otherwise */
      result: string | null;
      cancelRequested: boolean;
      workerId: string | null;
      image: string | null;
      timings: {
        /** Format: date-time */
        queuedAt: string | null;
        /** Format: date-time */
        claimedAt: string | null;
        /** Format: date-time */
        startedAt: string | null;
        /** Format: date-time */
        endedAt: string | null;
        /** Format: date-time */
        finishedAt: string | null;
        /** Format: date-time */
        deadlineAt: string | null;
      };
      results: {
        bucket: string;
        prefix: string;
        /** @description s3:// address of the folder holding this run's results */
        uri: string;
        /** @description the files a run writes there (output/ holds the outputs); none once they expired */
        files: string[];
        /**
         * Format: date-time
         * @description when the folder was deleted, its results period (the job's or workflow's results_retention_days, else TDS_RESULTS_RETENTION_DAYS) over; null while it is kept
         */
        expiredAt: string | null;
      };
      /** @description only for a run whose job has `requires`: while it is queued and no live, undrained worker can take it, the required tags the closest such worker lacks (all of them when no worker is claiming); null otherwise */
      waiting_for?: string[] | null;
      /** @description only while the run is queued: when it asks for more CPUs (`cpus`) or memory (`memory_mb`) than any live, undrained worker able to take it offers in all (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB), says so; null otherwise */
      waiting_reason?: string | null;
      history?: {
        state: string;
        /** Format: date-time */
        at: string;
        detail: unknown;
      }[];
    };
    /** Worker */
    'def-2': {
      /** @description the worker's TDS_WORKER_ID */
      id: string;
      /** @description the host name of the machine (or container) it runs on */
      host: string;
      /** @description TDS_WORKER_TAGS and its platform */
      tags: string[];
      /** @description its Docker engine's platform, e.g. linux/amd64 */
      platform: string;
      /** @description the version of the service it runs */
      version: string;
      /** @description runs it takes on at once (TDS_MAX_CONCURRENT_RUNS) */
      capacity: number;
      /** @description CPUs its runs under way may ask for together (TDS_WORKER_CPUS, else its engine's); null for a worker of an earlier release */
      cpus: number | null;
      /** @description memory (MiB) its runs under way may ask for together (TDS_WORKER_MEMORY_MB, else its engine's); null for a worker of an earlier release */
      memoryMb: number | null;
      /** @description runs it is staging, building, running or uploading now */
      runsInHand: number;
      /** @description active: claims runs; draining: claims none and finishes what it holds (drained once runsInHand is 0); gone: stopped, or no heartbeat for TDS_LEASE_MS (its runs are taken over) */
      state: 'active' | 'draining' | 'gone';
      /** @description draining and holding no run: it may be stopped or upgraded */
      drained: boolean;
      /** Format: date-time */
      startedAt: string;
      /** Format: date-time */
      lastHeartbeatAt: string;
      /** Format: date-time */
      stoppedAt: string | null;
      /** Format: date-time */
      drainRequestedAt: string | null;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
