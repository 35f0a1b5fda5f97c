/**
 * The text without `char` repeated at its end. A walk back from the end: `/x+$/` tries again from
 * every position of a long run of `x` followed by anything else, quadratic in the run's length.
 */
export function withoutTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end -= 1;
  return text.slice(0, end);
}
