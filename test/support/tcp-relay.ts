/**
 * A TCP relay on 127.0.0.1 in front of a server, which a test can turn into a blackhole: a host gone from
 * the network without a word, whose packets are dropped and which never closes a connection (no FIN, no
 * RST). A client then waits on its connections until something of its own gives up.
 */
import net from 'node:net'

/** A client's connection to the relay and the relay's to the server. */
interface Link {
  readonly client: net.Socket
  readonly server: net.Socket
}

/**
 * Forwards each connection to `target` until {@link blackhole}: from then on no byte passes either way and
 * every connection stays open, new ones too. {@link forward} lets the held bytes through, as a network
 * partition that heals does. A connection closed or reset at one end closes the other once it is read.
 * Its sockets never keep the process alive, so a test that fails does not hang its file.
 *
 * @example
 * await using relay = await TcpRelay.start({ host: '127.0.0.1', port: 5433 })
 * const url = `postgresql://postgres:postgres@127.0.0.1:${relay.port}/onemodel_test`
 * relay.blackhole()
 */
export class TcpRelay {
  readonly #server: net.Server
  readonly #target: net.TcpNetConnectOpts
  readonly #links = new Set<Link>()
  #blackholed = false
  #accepted = 0

  private constructor(server: net.Server, target: net.TcpNetConnectOpts) {
    this.#server = server
    this.#target = target
    server.on('connection', (client) => this.#accept(client))
  }

  /** A relay to `target`, listening on a free port of 127.0.0.1. */
  static async start(target: { host: string; port: number }): Promise<TcpRelay> {
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    server.unref()
    return new TcpRelay(server, target)
  }

  /** The port it listens on. */
  get port(): number {
    const address = this.#server.address()
    if (address === null || typeof address === 'string') throw new Error('The relay is not listening.')
    return address.port
  }

  /** How many connections clients have opened to it so far. */
  get accepted(): number {
    return this.#accepted
  }

  /** How many of those connections are open now. */
  get open(): number {
    return this.#links.size
  }

  /** `url` with its host and port replaced by the relay's. */
  in(url: string): string {
    const relayed = new URL(url)
    relayed.hostname = '127.0.0.1'
    relayed.port = String(this.port)
    return relayed.href
  }

  /** Stops every byte, both ways, on every connection, and on those made from now on. */
  blackhole(): void {
    this.#blackholed = true
    for (const link of this.#links) hold(link)
  }

  /** Lets bytes through again, those held first. */
  forward(): void {
    this.#blackholed = false
    for (const link of this.#links) pass(link)
  }

  /** Stops listening and closes every connection at once. */
  async close(): Promise<void> {
    for (const { client, server } of this.#links) {
      client.destroy()
      server.destroy()
    }
    this.#links.clear()
    await new Promise((resolve) => this.#server.close(resolve))
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #accept(client: net.Socket): void {
    this.#accepted++
    const server = net.connect(this.#target)
    const link = { client, server }
    this.#links.add(link)
    const close = (): void => {
      client.destroy()
      server.destroy()
      this.#links.delete(link)
    }
    for (const socket of [client, server]) socket.unref().on('error', close).on('close', close)
    if (this.#blackholed) hold(link)
    else pass(link)
  }
}

function pass({ client, server }: Link): void {
  client.pipe(server)
  server.pipe(client)
}

/** Nothing is read from either socket, so nothing is forwarded and no end of either is seen. */
function hold({ client, server }: Link): void {
  client.unpipe(server)
  server.unpipe(client)
  client.pause()
  server.pause()
}
