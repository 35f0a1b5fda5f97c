// Lists the functions of src/ and services/ longer than a number of lines (default 120), longest
// first: `npx node scripts/long-functions.ts [MAX]`. A factory's inner functions count
// apart from it, and it counts them too: a 400-line closure factory is listed as 400 lines.
// With --check (npm run lint:functions) it fails when a function over 120 lines is not in
// scripts/long-functions-allowed.txt, so that no new one appears; it names allowed ones now
// within the limit, whose lines can go.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const check = process.argv.includes('--check');
const max = Number(process.argv.slice(2).find((arg) => arg !== '--check') ?? 120);
const root = path.resolve(import.meta.dirname, '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function nameOf(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name)
    return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText().slice(0, 40)})`;
  return '(anonymous)';
}

const long: { where: string; name: string; lines: number }[] = [];
for (const file of [...sourceFiles('src'), ...sourceFiles('services')]) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max)
        long.push({ where: `${path.relative(root, file)}:${start + 1}`, name: nameOf(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
long.sort((a, b) => b.lines - a.lines);
if (!check) {
  for (const f of long) console.log(`${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
  console.log(`${long.length} functions over ${max} lines`);
} else {
  const allowedFile = path.join(root, 'scripts/long-functions-allowed.txt');
  const allowed = new Set(
    readFileSync(allowedFile, 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '')
      .map((line) => line.split(/\s+/).join(' ')),
  );
  const keyOf = (f: { where: string; name: string }) => `${f.where.replace(/:\d+$/, '')} ${f.name}`;
  const over = new Set(long.map(keyOf));
  const refused = long.filter((f) => !allowed.has(keyOf(f)));
  for (const entry of allowed) {
    if (!over.has(entry))
      console.log(`scripts/long-functions-allowed.txt: ${entry} is now within ${max} lines; remove its line`);
  }
  if (refused.length > 0) {
    console.error(`Functions over ${max} lines (split them into named functions; see docs/development.md):`);
    for (const f of refused) console.error(`${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
    process.exitCode = 1;
  }
}
