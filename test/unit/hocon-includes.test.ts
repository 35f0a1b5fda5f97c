import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCLUDE_RULE, parseHoconFile } from '../../cli/definitions/hocon.js';

// A definition's folder with a file outside it holding a secret, links out of the folder, a script
// that would leave a mark if run, and a web server that counts the requests it gets.
let root: string;
let folder: string;
let server: http.Server;
let port: number;
let requests = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tds-hocon-'));
  folder = path.join(root, 'defs');
  await mkdir(path.join(folder, 'sub'), { recursive: true });
  await writeFile(path.join(root, 'secret.conf'), 'secret = "TOP-SECRET"\n');
  await writeFile(path.join(folder, 'common.conf'), 'shared = yes\n');
  await writeFile(path.join(folder, 'sub', 'deep.conf'), 'deep = yes\n');
  await writeFile(path.join(folder, 'sub', 'outward.conf'), 'include "../../secret.conf"\n');
  await symlink('../secret.conf', path.join(folder, 'link.conf'));
  await symlink('..', path.join(folder, 'up'));
  await writeFile(
    path.join(folder, 'evil.js'),
    `require("fs").writeFileSync(${JSON.stringify(path.join(root, 'ran'))}, "x"); module.exports = { js: 1 };\n`,
  );
  await writeFile(path.join(folder, 'envy.conf'), 'leak = ${TDS_TEST_HOCON_SECRET}\n');
  server = http.createServer((_request, response) => {
    requests += 1;
    response.end('fetched = "FROM-THE-WEB"\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function parse(text: string, scope: Record<string, string> = {}) {
  const file = path.join(folder, `case-${Math.random().toString(36).slice(2)}.conf`);
  // ROOT: the folder above the definition's, known once the files are made.
  await writeFile(file, text.replaceAll('ROOT', root));
  return parseHoconFile(file, scope);
}

describe('HOCON includes, as the parser resolves them', () => {
  it('reads files in the definition folder and below, however the include is spelled', async () => {
    const { value, problems } = await parse(
      [
        '  include required(file("common.conf"))',
        'kind = job',
        'nested { include "sub/deep.conf" }',
        'plain { include "common" }',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(value).toEqual({ kind: 'job', shared: 'yes', nested: { deep: 'yes' }, plain: { shared: 'yes' } });
  });

  const outside: [string, string, number][] = [
    ['indented, absolute, in file(...)', '  include file("ROOT/secret.conf")', 1],
    ['absolute', 'include "ROOT/secret.conf"', 1],
    ['nested in an object', 'a { include "../secret.conf" }', 1],
    ['required(file(...)), two objects deep', 'a { b { include required(file("../secret.conf")) } }', 1],
    ['a parent folder through a subfolder', 'include "sub/../../secret.conf"', 1],
    ['a name without an extension', 'include "../secret"', 1],
    ['a link to a file outside', 'include "link.conf"', 1],
    ['a file under a link to a folder outside', 'include "up/secret.conf"', 1],
    ['an include object', 'include { url: "../secret.conf" }', 1],
    ['the file name on the next line', 'include\n  "../secret.conf"', 1],
    [
      'after a comment and inside a list element',
      '# include "common.conf"\nlist = [ { include "../secret.conf" } ]',
      2,
    ],
  ];
  it.each(outside)('refuses a file outside the folder: %s', async (_name, text, line) => {
    const { value, problems } = await parse(text);
    expect(JSON.stringify(value ?? null)).not.toContain('TOP-SECRET');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain(INCLUDE_RULE);
    expect(problems[0]!.message).toContain("outside the definition's folder");
    expect(problems[0]!.line).toBe(line);
  });

  it('refuses an include of a file outside made by an included file, naming that file', async () => {
    const { problems } = await parse('include "sub/outward.conf"');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain(`(in ${path.join('sub', 'outward.conf')})`);
  });

  it('fetches no URL and reads no module path', async () => {
    for (const text of [
      `include url("http://127.0.0.1:${port}/x.conf")`,
      `  include required(url("http://127.0.0.1:${port}/x.conf"))`,
      `include "http://127.0.0.1:${port}/x.conf"`,
      'include classpath("package.json")',
      'x { include required(classpath("package.json")) }',
    ]) {
      const { value, problems } = await parse(text);
      expect(problems, text).toHaveLength(1);
      expect(problems[0]!.message).toContain('not a file');
      expect(JSON.stringify(value ?? null)).not.toContain('FROM-THE-WEB');
    }
    expect(requests).toBe(0);
  });

  it('runs no script and applies no transform', async () => {
    const script = await parse('include "evil.js"');
    expect(script.problems[0]!.message).toContain('not HOCON or JSON');
    expect(existsSync(path.join(root, 'ran'))).toBe(false);
    await expect(parse('include "trim(common.conf)"')).rejects.toThrow(/transforms/);
    await expect(parse('x = "a" |> eval(expr: "1")')).rejects.toThrow();
  });

  it('never reads the environment, even for an include that asks to (env(...))', async () => {
    process.env.TDS_TEST_HOCON_SECRET = 'LEAKED';
    try {
      for (const text of ['include "env(envy.conf)"', 'include required(env("envy.conf"))']) {
        await expect(parse(text)).rejects.toThrow(/Unable to resolve 'TDS_TEST_HOCON_SECRET'/);
      }
      // The values given (built-in ones and --env names) are what substitutions read.
      const given = await parse('include "envy.conf"', { TDS_TEST_HOCON_SECRET: 'given' });
      expect(given.value).toEqual({ leak: 'given' });
    } finally {
      delete process.env.TDS_TEST_HOCON_SECRET;
    }
  });
});
