/**
 * Passwords, hashed with node:crypto's scrypt on libuv's thread pool (the async form, so hashing never
 * blocks the event loop) and compared with `timingSafeEqual`, whose time tells nothing of the hash.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>
const KEY_LENGTH = 32

/**
 * A password stored as `salt:hash` in hex, a fresh random salt each time.
 *
 * @example
 * const stored = await hashPassword('correct horse') // 'a1b2…:c3d4…'
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scryptAsync(password, salt, KEY_LENGTH)
  return `${salt.toString('hex')}:${hash.toString('hex')}`
}

/**
 * Whether `password` is the one `stored` was hashed from. Without a stored hash (no such user) it still
 * hashes, against a random salt, so the answer takes as long and tells no one which users exist.
 *
 * @example
 * await verifyPassword('correct horse', stored) // true
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [salt, hash] = stored?.split(':') ?? []
  const expected = Buffer.from(hash ?? '', 'hex')
  const actual = await scryptAsync(password, salt ? Buffer.from(salt, 'hex') : randomBytes(16), KEY_LENGTH)
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
