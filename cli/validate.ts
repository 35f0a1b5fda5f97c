import { answerOf, ApiError, type ApiClient, type Body } from './api-client.ts';
import { problemInFile, type Definition } from './definitions/load.ts';
import { pathOf422, type FileProblem } from './definitions/problems.ts';
import { CliExit } from './exit-codes.ts';

/** What the service answers a definition's dry run with. */
export interface Checked {
  definition: Definition;
  /** A job as the service would store it (defaults applied); undefined for a workflow. */
  spec?: Record<string, unknown>;
  /** A workflow as the service would store it; undefined for a job. */
  workflow?: Record<string, unknown>;
}

/**
 * The service's own validation of each definition (`?dry_run=true`), so files and API never
 * disagree: every problem it lists, at its line in the file. A refused key or an unreachable
 * service ends the command (exit 3).
 */
export async function checkWithService(
  api: ApiClient,
  definitions: Definition[],
): Promise<{ checked: Checked[]; problems: FileProblem[] }> {
  const checked: Checked[] = [];
  const problems: FileProblem[] = [];
  for (const definition of definitions) {
    const local: FileProblem[] = [];
    if (!definition.userId)
      local.push(
        problemInFile(definition, { path: '', message: 'missing userId: add it to the file or give --user' }),
      );
    if (!definition.uniqueId)
      local.push(
        problemInFile(definition, {
          path: '',
          message: 'missing uniqueId: it names the definition in the service',
        }),
      );
    if (local.length > 0) {
      problems.push(...local);
      continue;
    }
    try {
      checked.push({ definition, ...(await dryRun(api, definition)) });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401 || error.status === 403 || error.status >= 500) {
        throw new CliExit(error.exitCode, `the service refused ${definition.uniqueId}: ${error.message}`);
      }
      if (error.status === 404 && definition.kind === 'workflow') {
        problems.push(
          problemInFile(definition, {
            path: '',
            message: 'this service has no workflow API (POST /workflows); update it',
          }),
        );
      } else if (error.status === 422) {
        problems.push(problemInFile(definition, { path: pathOf422(error.message), message: error.message }));
      } else if (error.problems.length > 0) {
        problems.push(...error.problems.map((p) => problemInFile(definition, p)));
      } else {
        problems.push(problemInFile(definition, { path: '', message: error.message }));
      }
    }
  }
  return { checked, problems };
}

/** The definition as the service would store it: a job's spec, or a workflow's definition. */
async function dryRun(api: ApiClient, definition: Definition): Promise<Omit<Checked, 'definition'>> {
  const body = definition.checkBody;
  if (definition.kind === 'job') {
    const answer = await answerOf(api.POST('/jobs', { params: { query: { dry_run: true } }, body }));
    return { spec: 'spec' in answer ? answer.spec : undefined, workflow: undefined };
  }
  const answer = await answerOf(
    api.POST('/workflows', { params: { query: { dry_run: 'true' } }, body: body as Body<'/workflows'> }),
  );
  return { spec: undefined, workflow: 'definition' in answer ? answer.definition : undefined };
}

/** Two definitions of the same key in the files given are a problem at the second. */
export function duplicateProblems(definitions: Definition[]): FileProblem[] {
  const seen = new Map<string, Definition>();
  const problems: FileProblem[] = [];
  for (const definition of definitions) {
    const key = `${definition.kind}:${definition.userId}/${definition.uniqueId}`;
    const earlier = seen.get(key);
    if (earlier) {
      problems.push(
        problemInFile(definition, {
          path: '/uniqueId',
          message: `${definition.kind} "${definition.uniqueId}" of user "${definition.userId}" is also defined in ${earlier.file}`,
        }),
      );
    } else {
      seen.set(key, definition);
    }
  }
  return problems;
}

export function sortProblems(problems: FileProblem[]): FileProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
