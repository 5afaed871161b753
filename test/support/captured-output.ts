/**
 * Records what this process writes to stdout and stderr (console methods included) while still writing
 * it, so a test can assert what a server it runs in-process logged.
 */
import { format } from 'node:util'

export interface CapturedOutput {
  /** Everything written since the capture began. */
  text(): string
  /** Puts the original writers back. */
  restore(): void
}

/**
 * Starts recording stdout, stderr and `console.error` (which a server's last-resort error report uses).
 *
 * @example
 * const output = captureOutput()
 * try { await exercise(server) } finally { output.restore() }
 * assert.ok(!output.text().includes(secret))
 */
export function captureOutput(): CapturedOutput {
  const written: string[] = []
  const streams = [process.stdout, process.stderr]
  const originals = streams.map((stream) => stream.write)
  for (const [index, stream] of streams.entries()) {
    const original = originals[index]!
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
      // The overloads cannot be named one by one here: the arguments go on exactly as they came.
      return Reflect.apply(original, this, [chunk, ...rest]) as boolean
    } as NodeJS.WriteStream['write']
  }
  const consoleError = console.error
  console.error = (...args: unknown[]) => {
    written.push(format(...args))
    consoleError(...args)
  }
  return {
    text: () => written.join(''),
    restore() {
      for (const [index, stream] of streams.entries()) stream.write = originals[index]!
      console.error = consoleError
    },
  }
}
