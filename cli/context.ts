import type { ApiClient } from './api-client.ts';
import type { Output } from './output.ts';

/** What every command gets from the global options. */
export interface Context {
  api: ApiClient;
  output: Output;
  /** --user, or TDS_USER: whose jobs to list, and the userId a definition may leave out. */
  userId: string | undefined;
  /** Built-in substitution values and those of --env NAME. */
  values: Record<string, string>;
  templateDirs: string[];
  /** --set key=value: fields filled in or overridden in every definition read (tds trigger: params). */
  set: Record<string, unknown>;
  /** --env NAME=VALUE (with "="): tds trigger's env values; refused by every other command. */
  envValues: Record<string, string>;
}

/** What a command asks of the context: tds trigger takes --env NAME=VALUE. */
export interface ContextOptions {
  envValues?: boolean;
}
