/**
 * Whether a TCP connection of this machine has keep-alive on, read from the kernel's own table (Linux's
 * `/proc/net/tcp` and `tcp6`), since Node tells nothing of a socket's options.
 */
import { readFileSync } from 'node:fs'

/** The kernel's name for the keep-alive timer in the `tr` column: pending on an idle connection with keep-alive. */
const KEEP_ALIVE_TIMER = '02'

/**
 * The timer of the connection from local port `localPort` to remote port `remotePort`, as the kernel
 * lists it: `'02'` for keep-alive, `'00'` for none, `'01'` while data waits for its acknowledgement;
 * `undefined` when no such connection is open.
 */
function tcpTimer(localPort: number, remotePort: number): string | undefined {
  const port = (value: number) => `:${value.toString(16).toUpperCase().padStart(4, '0')}`
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when …
      const [, local, remote, , , timer] = line.trim().split(/\s+/)
      if (local?.endsWith(port(localPort)) && remote?.endsWith(port(remotePort))) return timer?.split(':')[0]
    }
  }
  return undefined
}

/**
 * The connection from `localPort` to `remotePort` is open, idle, and probed by keep-alive.
 *
 * @example
 * keepAliveArmed(54321, 5432) // true: the kernel lists its keep-alive timer
 */
export function keepAliveArmed(localPort: number, remotePort: number): boolean {
  return tcpTimer(localPort, remotePort) === KEEP_ALIVE_TIMER
}
