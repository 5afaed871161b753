/**
 * What the statement writers of one migration file share: the dialect the file is written for, and the
 * helpers from 'onemodel-ts' its statements use, which the file imports.
 */
import type { Dialect } from '../dialect/dialect.ts'

/** The dialect a migration file is written for, and the helpers its statements use so far. */
export interface RenderScope {
  readonly dialect: Dialect
  /** The helpers from 'onemodel-ts' that the statements use. */
  readonly helpers: Set<string>
}
