// What every call to the Docker engine shares: reading an error's HTTP status, and taking the
// statuses that mean "already so" as success.

export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** 404 (gone) and 304/409 (already stopped, or in the state asked for) are success for cleanup calls. */
export async function tolerate(statuses: number[], action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!statuses.includes(statusOf(error) ?? 0)) throw error;
  }
}

/** An image's list setting (Entrypoint, Cmd): null when unset or empty. */
export function listOrNull(value: string[] | string | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  const list = typeof value === 'string' ? [value] : value;
  return list.length > 0 ? list : null;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
