/**
 * `onemodel migrate`: its usage, and the dispatch of each command to the module that holds it.
 */
import { UsageError, type ExitCode, type Io } from '../args.ts'
import { downgrade, stamp, upgrade } from './migrate-apply.ts'
import { check, revision } from './migrate-compare.ts'
import { init } from './migrate-init.ts'
import { help } from './migrate-shared.ts'
import { current, history } from './migrate-status.ts'

export const MIGRATE_USAGE = `Usage: onemodel migrate <command> [options]

Migrations compare the models with the database and keep its schema in step, one revision file at a time.

Commands:
  init                     write onemodel.config.ts and the migrations folder
  revision -m "message"    write a revision: the changes from the database to the models
  upgrade [head|<rev>]     apply pending revisions (default head: all of them), under one lock
  downgrade <-1|<rev>|base> revert revisions: -1 the last one, <rev> back to that one, base all
  stamp <head|<rev>|base>  record revisions as applied without running them
  current                  print the revision the database is at
  history                  list the revisions, applied and pending
  check                    exit 1 when revisions are pending or the models and database differ

Options:
  -c, --config <file>      the configuration file (default onemodel.config.ts, or package.json "onemodel")
  -h, --help               show help for a command

A <rev> is a revision's file name without .ts, or a unique prefix of it such as its timestamp.
The database is the config's url, or DATABASE_URL when set.`

/** `onemodel migrate …` */
export async function migrate(args: readonly string[], io: Io): Promise<ExitCode> {
  const [command, ...rest] = args
  switch (command) {
    case undefined:
      throw new UsageError('Missing migrate command.', MIGRATE_USAGE)
    case '--help':
    case '-h':
      return help(io, MIGRATE_USAGE)
    case 'init':
      return init(rest, io)
    case 'revision':
      return revision(rest, io)
    case 'upgrade':
      return upgrade(rest, io)
    case 'downgrade':
      return downgrade(rest, io)
    case 'stamp':
      return stamp(rest, io)
    case 'current':
      return current(rest, io)
    case 'history':
      return history(rest, io)
    case 'check':
      return check(rest, io)
    default:
      throw new UsageError(`Unknown command "migrate ${command}".`, MIGRATE_USAGE)
  }
}
