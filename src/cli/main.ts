#!/usr/bin/env node
/** The `onemodel` command (package.json `bin`): `onemodel serve …` and `onemodel migrate …`. */
import { run } from './run.ts'

const code = await run(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
})
if (code !== undefined) process.exitCode = code
