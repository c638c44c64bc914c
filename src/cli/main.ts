#!/usr/bin/env node
// granite: the command-line tool (docs/cli.md). Everything lives in ./program.ts; this file only runs it.
import { buildProgram } from './program.js';

// A closed pipe (`granite scan | head`) ends the output quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

await buildProgram().parseAsync(process.argv);
