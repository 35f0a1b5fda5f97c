import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { pointerSegments, type FileProblem, type Locate } from './problems.ts';

// Pure: YAML (and so JSON) text to documents with their positions. `tds` reads files through it,
// and the dashboard's definition editor reads pasted text through the same code.

/** One document of a definition file, as parsed, with a way to find the line of any part of it. */
export interface SourceDocument {
  file: string;
  /** Which document of the file (0 for the first). */
  index: number;
  value: unknown;
  locate: Locate;
}

/**
 * The line and column (from 1) a pointer names: a field's key, a list item's start, or, for a
 * part that is not in the file (a missing field, a field a template filled in), the nearest
 * place above it that is.
 */
function yamlLocator(root: YamlNode | null, lines: LineCounter): Locate {
  return (pointer) => {
    let node: YamlNode | null = root;
    let at: number = root?.range?.[0] ?? 0;
    for (const segment of pointerSegments(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
        if (!pair) break;
        // A field is pointed at by its key: the line that names it.
        at = (pair.key as YamlNode).range?.[0] ?? at;
        node = (pair.value as YamlNode | null) ?? null;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)] as YamlNode | undefined;
        if (!item) break;
        node = item;
        at = item.range?.[0] ?? at;
      } else {
        break;
      }
    }
    const { line, col } = lines.linePos(at);
    return { line, column: col };
  };
}

export function parseYamlText(
  file: string,
  text: string,
): { documents: SourceDocument[]; problems: FileProblem[] } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const all = Array.isArray(parsed) ? parsed : [parsed];
  const problems: FileProblem[] = [];
  const documents: SourceDocument[] = [];
  all.forEach((doc, index) => {
    for (const error of doc.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      problems.push({ file, line, column: col, message: error.message.split('\n')[0]! });
    }
    if (doc.errors.length > 0 || doc.contents === null) return;
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const locate = yamlLocator(doc.contents, lines);
    // A list at the top holds several definitions (the way a JSON file gives more than one).
    if (Array.isArray(value)) {
      value.forEach((item, position) =>
        documents.push({
          file,
          index: documents.length,
          value: item,
          locate: (p) => locate(`/${position}${p}`),
        }),
      );
    } else {
      documents.push({ file, index, value, locate });
    }
  });
  return { documents, problems };
}
