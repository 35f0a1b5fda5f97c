#!/usr/bin/env node
// The `tds` command. Its TypeScript runs through tsx (a dependency of the service already), so a
// clone works after `npm ci` and `npm install -g` installs it with nothing to build first.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
