/**
 * The API's tokens: JWTs signed with HS256 through `jose`, whose subject is the user's id. They stay valid
 * when the user changes their name or email.
 */
import type { webcrypto } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'

/**
 * The secret the app signs with when `JWT_SECRET` is not set: for development only, since anyone who reads
 * this file can sign a token for any user. Set `JWT_SECRET` wherever the app is deployed.
 */
export const DEVELOPMENT_SECRET = 'conduit-development-secret-do-not-deploy'

const ALGORITHM = 'HS256'
const LIFETIME = '7d'

/**
 * Issues and checks the tokens of one secret.
 *
 * @example
 * const tokens = new Tokens(process.env.JWT_SECRET ?? DEVELOPMENT_SECRET)
 * const token = await tokens.issue(user.id)
 * await tokens.userIdOf(token) // user.id
 */
export class Tokens {
  /** Imported once: given the secret's bytes, jose would import them again for every token. */
  readonly #key: Promise<webcrypto.CryptoKey>

  /** @throws {Error} for an empty secret, which WebCrypto cannot sign with (and anyone could guess). */
  constructor(secret: string) {
    if (secret === '') throw new Error('The JWT secret is empty: set JWT_SECRET to a long random string.')
    const bytes = new TextEncoder().encode(secret)
    this.#key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ])
  }

  /** A token for the user with this id. */
  async issue(userId: number): Promise<string> {
    return new SignJWT()
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(String(userId))
      .setIssuedAt()
      .setExpirationTime(LIFETIME)
      .sign(await this.#key)
  }

  /** The user id a token was issued for; `undefined` when it is malformed, forged or expired. */
  async userIdOf(token: string): Promise<number | undefined> {
    try {
      const { payload } = await jwtVerify(token, await this.#key, { algorithms: [ALGORITHM] })
      const id = Number(payload.sub)
      return Number.isSafeInteger(id) ? id : undefined
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined
      throw error
    }
  }
}
