/**
 * The TCP connections of this machine, read from the kernel's own table (Linux's `/proc/net/tcp` and
 * `tcp6`): Node tells nothing of a socket's options, nor of a socket it no longer holds.
 */
import { readFileSync } from 'node:fs'

/** One row of the table: the ends' ports, the timer running, and the socket's inode (0 once no process holds it). */
interface TcpRow {
  readonly localPort: number
  readonly remotePort: number
  /** `'02'` keep-alive, `'00'` none, `'01'` while data waits for its acknowledgement. */
  readonly timer: string
  readonly inode: string
}

function tcpRows(): TcpRow[] {
  const port = (address: string) => Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16)
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '')
      .map((line) => {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
        const [, local, remote, , , timer, , , , inode] = line.trim().split(/\s+/)
        return {
          localPort: port(local!),
          remotePort: port(remote!),
          timer: timer!.split(':')[0]!,
          inode: inode!,
        }
      }),
  )
}

/**
 * The connection from `localPort` to `remotePort` is open, idle, and probed by keep-alive.
 *
 * @example
 * keepAliveArmed(54321, 5432) // true: the kernel runs its keep-alive timer
 */
export function keepAliveArmed(localPort: number, remotePort: number): boolean {
  return tcpRows().some(
    (row) => row.localPort === localPort && row.remotePort === remotePort && row.timer === '02',
  )
}

/**
 * How many sockets to `remotePort` a process of this machine still holds: a closed socket whose FIN the
 * peer never answered stays in the table a while, held by no process (inode 0).
 *
 * @example
 * socketsHeldTo(relay.port) // 0 once the engine closed its connections to the relay
 */
export function socketsHeldTo(remotePort: number): number {
  return tcpRows().filter((row) => row.remotePort === remotePort && row.inode !== '0').length
}
