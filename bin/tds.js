#!/usr/bin/env node
// The `tds` command. Node.js runs its TypeScript (cli/, and the two modules of src/ it imports)
// with its own type stripping: no loader, nothing to build, so a clone works after `npm ci`,
// `npm install -g .` installs a working command, and it is never out of step with its sources.
// A Node.js without type stripping (older than 22.18, as a machine's Node 20 on the PATH) hands
// the command to the Node.js 24 that package-lock.json pins and `npm ci` installs beside this file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import nodeModule from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.features.typescript) {
  // Keeps the stripped and compiled code in the system's temporary folder: later starts skip both.
  nodeModule.enableCompileCache();
  const { main } = await import('../cli/main.ts');
  process.exitCode = await main(process.argv);
} else {
  const pinned = path.join(path.dirname(self), '..', 'node_modules', '.bin', 'node');
  if (!existsSync(pinned)) {
    process.stderr.write(
      `tds needs Node.js 22.18 or newer (this is ${process.version}): run npm ci in ${path.dirname(path.dirname(self))}, which installs Node.js 24 there.\n`,
    );
    process.exit(1);
  }
  const child = spawn(pinned, [self, ...process.argv.slice(2)], { stdio: 'inherit' });
  // A terminal's Ctrl-C reaches the child as well (one process group): the child decides.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
