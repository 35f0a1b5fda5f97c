/**
 * Placeholders in a step's command, args and env: `{{steps.NAME.result}}` (an earlier step's
 * result), and in a fan-out step `{{item}}` and `{{index}}`. Anything else between double braces
 * is left as it is, except text that starts like a step placeholder and is not one, refused so a
 * typo does not run as literal text.
 */

export type Placeholder =
  | { kind: 'step'; step: string; text: string; path?: string }
  | { kind: 'item' | 'index'; text: string; path?: string }
  | { kind: 'malformed'; text: string; message: string; path?: string };

const ANY = /\{\{\s*(steps\.[^}]*|item|index)\s*\}\}/g;
const STEP = /^steps\.([A-Za-z][A-Za-z0-9_-]{0,62})\.result$/;

export function placeholdersIn(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const match of text.matchAll(ANY)) {
    const inner = match[1]!.trim();
    if (inner === 'item' || inner === 'index') {
      found.push({ kind: inner, text: match[0] });
      continue;
    }
    const step = STEP.exec(inner);
    if (step) found.push({ kind: 'step', step: step[1]!, text: match[0] });
    else
      found.push({
        kind: 'malformed',
        text: match[0],
        message: `${match[0]} is not a placeholder this service knows: write {{steps.NAME.result}}`,
      });
  }
  return found;
}

/** What the placeholders of one run are replaced by. */
export interface PlaceholderValues {
  /** Each step's result by name ("" for a step that gave none). */
  results: Record<string, string>;
  item?: string;
  index?: number;
}

/** The text with its placeholders replaced by their values, exactly. */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(ANY, (whole, inner: string) => {
    const name = inner.trim();
    if (name === 'item') return values.item ?? whole;
    if (name === 'index') return values.index === undefined ? whole : String(values.index);
    const step = STEP.exec(name);
    if (!step) return whole;
    return values.results[step[1]!] ?? '';
  });
}
