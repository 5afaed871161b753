/**
 * What both RealWorld baselines do for users: passwords hashed with node:crypto's async scrypt, and tokens
 * as HS256 JWTs through jose, read from `Authorization: Token <jwt>` and verified on every request.
 * Env: JWT_SECRET.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { jwtVerify, SignJWT } from 'jose'

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>
// Imported once, as the app does: given the bytes, jose would import them for every token.
const secret = await crypto.subtle.importKey(
  'raw',
  new TextEncoder().encode(process.env.JWT_SECRET ?? 'realworld bench secret, not for production'),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['sign', 'verify'],
)

/** `salt:hash` in hex. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  return `${salt.toString('hex')}:${(await scryptAsync(password, salt, 64)).toString('hex')}`
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [salt, hash] = stored.split(':')
  if (!salt || !hash) return false
  const expected = Buffer.from(hash, 'hex')
  const actual = await scryptAsync(password, Buffer.from(salt, 'hex'), expected.length)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A token for the user of this id, valid for a day. */
export function tokenFor(userId: number): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(userId))
    .setIssuedAt()
    .setExpirationTime('1d')
    .sign(secret)
}

/**
 * The user id of the request's token; `undefined` without an `Authorization` header, `null` when there is
 * one that is not a valid token (a 401 where auth is required, and where it is optional too).
 */
export async function viewerOf(authorization: string | undefined): Promise<number | undefined | null> {
  if (authorization === undefined) return undefined
  if (!authorization.startsWith('Token ')) return null
  try {
    const { payload } = await jwtVerify(authorization.slice(6), secret, { algorithms: ['HS256'] })
    const id = Number(payload.sub)
    return Number.isSafeInteger(id) ? id : null
  } catch {
    return null
  }
}

/** A slug from a title: lower case words joined by `-`, then a random suffix so two titles never clash. */
export function slugOf(title: string): string {
  const words = title.toLowerCase().match(/[a-z0-9]+/g) ?? []
  return `${words.join('-')}-${randomBytes(4).toString('hex')}`
}
