/** `promise`, or a failure after `ms`: a generous bound that only a hang reaches. */
export async function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled after ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, hang])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Waits until `holds()` is true, checking every 50 ms, or fails after `ms`: for a state reached a moment
 * after the call that brings it about, such as a socket the kernel closes once its process lets it go.
 *
 * @example
 * await becomesTrue(() => socketsHeldTo(relay.port) === 0, 5000, 'no socket to the relay is left')
 */
export async function becomesTrue(holds: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now()
  while (!holds()) {
    if (Date.now() - start > ms) throw new Error(`${what}: not after ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
