/** One thing wrong with a definition file, where it is. */
export interface FileProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** `file:line:column: message`, the form editors and CI logs link to. */
export function formatProblem(problem: FileProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** Positions in a file, from a JSON Pointer into one of its documents. */
export type Locate = (pointer: string) => { line: number; column: number };

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pointerOf(segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Which field of a job a 422 (the bucket or the inputs not there) is about. */
export function pathOf422(message: string): string {
  return /no objects under/.test(message) ? '/source_s3_prefix' : '/s3_bucket';
}
