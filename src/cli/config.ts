import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MigrationError } from '../errors.ts'
import type { Metadata } from '../model/table.ts'

/**
 * What `onemodel migrate` needs to know: where the models are, which database, and where migration files
 * go. Written by `onemodel migrate init` as `onemodel.config.ts`; the same keys may sit under `"onemodel"`
 * in package.json instead. Relative paths are relative to the file that names them.
 */
export interface OnemodelConfig {
  /**
   * The module that declares the tables (its `table()` calls run when it is imported). When it exports a
   * `metadata` (a {@link Metadata}), that is compared with the database; otherwise `defaultMetadata`.
   */
  models: string
  /** The database URL. The `DATABASE_URL` environment variable overrides it. */
  url?: string
  /** The folder of migration files; default `./migrations`. */
  migrations?: string
  /**
   * `migrate upgrade` applies a pending revision that sorts before an applied one (a branch merged late)
   * instead of failing; default false. For teams that merge branches with revisions often.
   */
  allowOutOfOrder?: boolean
}

/**
 * Types a configuration object, for `onemodel.config.ts`.
 *
 * @example
 * import { defineConfig } from 'onemodel-ts'
 *
 * export default defineConfig({
 *   models: './models.ts',
 *   url: 'sqlite:///database.db', // DATABASE_URL overrides it
 *   migrations: './migrations',
 * })
 */
export function defineConfig(config: OnemodelConfig): OnemodelConfig {
  return config
}

/** A configuration with its paths resolved and the database URL chosen. */
export interface ResolvedConfig {
  /** The file the configuration came from. */
  readonly source: string
  readonly models: string
  readonly url: string
  readonly migrations: string
  readonly allowOutOfOrder: boolean
}

export const CONFIG_FILES = [
  'onemodel.config.ts',
  'onemodel.config.mts',
  'onemodel.config.js',
  'onemodel.config.mjs',
]

/**
 * Finds and reads the configuration: the `--config` file, else `onemodel.config.ts` (or `.mts`, `.js`,
 * `.mjs`) in `cwd`, else the `"onemodel"` key of `cwd`'s package.json. `DATABASE_URL` overrides the URL.
 */
export async function loadConfig(
  cwd: string,
  env: NodeJS.ProcessEnv,
  explicit?: string,
): Promise<ResolvedConfig> {
  let source: string
  let config: Partial<OnemodelConfig>
  const file = explicit
    ? resolve(cwd, explicit)
    : CONFIG_FILES.map((name) => join(cwd, name)).find(existsSync)
  if (file) {
    if (!existsSync(file)) throw new MigrationError('OM_MIGRATE_CONFIG', `No configuration file at ${file}.`)
    source = file
    try {
      const module = await import(pathToFileURL(file).href)
      config = module.default ?? module.config
    } catch (error) {
      throw new MigrationError('OM_MIGRATE_CONFIG', `Cannot load ${file}: ${(error as Error).message}`, {
        cause: error,
      })
    }
  } else {
    source = join(cwd, 'package.json')
    const pkg = existsSync(source) ? JSON.parse(readFileSync(source, 'utf8')) : {}
    if (!pkg.onemodel) {
      throw new MigrationError(
        'OM_MIGRATE_CONFIG',
        `No onemodel.config.ts in ${cwd} and no "onemodel" key in its package.json. Run onemodel migrate init to write one.`,
      )
    }
    config = pkg.onemodel
  }
  if (typeof config?.models !== 'string') {
    throw new MigrationError(
      'OM_MIGRATE_CONFIG',
      `${source}: "models" must name the module that declares the tables, such as './models.ts'.`,
    )
  }
  const url = env.DATABASE_URL || config.url
  if (!url) {
    throw new MigrationError(
      'OM_MIGRATE_CONFIG',
      `${source} names no database: set "url" there, or the DATABASE_URL environment variable.`,
    )
  }
  if (config.allowOutOfOrder !== undefined && typeof config.allowOutOfOrder !== 'boolean') {
    throw new MigrationError('OM_MIGRATE_CONFIG', `${source}: "allowOutOfOrder" must be true or false.`)
  }
  const base = dirname(source)
  return {
    source,
    models: resolve(base, config.models),
    url,
    migrations: resolve(base, config.migrations ?? './migrations'),
    allowOutOfOrder: config.allowOutOfOrder ?? false,
  }
}

/** Imports the models module and returns the metadata it declares its tables in. */
export async function loadMetadata(models: string): Promise<Metadata> {
  let module: Record<string, unknown>
  try {
    module = await import(pathToFileURL(models).href)
  } catch (error) {
    throw new MigrationError(
      'OM_MIGRATE_CONFIG',
      `Cannot load the models module ${models}: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  const { defaultMetadata, Metadata: MetadataClass } = await import('../model/table.ts')
  return module.metadata instanceof MetadataClass ? module.metadata : defaultMetadata
}
