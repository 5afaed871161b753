/**
 * onemodel: declare a model once, get a SQL table, a validator, static types and an OpenAPI schema, with an
 * async Session over SQLite, PostgreSQL and MySQL, and typed HTTP routes.
 */
export {
  ERROR_CODES,
  OnemodelError,
  ModelDefinitionError,
  EngineUrlError,
  ConnectionError,
  IntegrityError,
  DataError,
  NoResultError,
  MultipleResultsError,
  SessionError,
  InvalidQueryError,
  NotSupportedError,
  StaleDataError,
  RouteDefinitionError,
  MigrationError,
  type MigrationErrorCode,
  RelationshipDefinitionError,
  RelationshipNotLoadedError,
  DeadlockError,
  LockNotAvailableError,
  SerializationError,
  type ErrorCode,
  type ConstraintKind,
} from './errors.ts'

export {
  Field,
  type FieldKind,
  type AnyField,
  type Fields,
  type NestedModel,
  type SchemaRef,
} from './model/field.ts'
export {
  field,
  type DefaultGiven,
  type FieldFor,
  type KeyFieldFor,
  type JsonField,
} from './model/field-builders.ts'
export type {
  BaseFieldOptions,
  StringFieldOptions,
  NumberFieldOptions,
  JsonFieldOptions,
  AnyFieldOptions,
} from './model/field-options.ts'
export { INTEGER_RANGE, KEY_STRING_MAX_LENGTH } from './model/storable.ts'
export { model, Model, type ModelOptions, type DumpOptions, type ValidationResult } from './model/model.ts'
export {
  table,
  TableModel,
  Metadata,
  defaultMetadata,
  type TableOptions,
  type IndexDeclaration,
  type Columns,
  type CreateInputOf,
  type KeyOf,
} from './model/table.ts'
export { relationships } from './model/relationships.ts'
export {
  RelationshipDeclaration,
  type RelationshipOptions,
  type RelationshipBuilders,
  type RelationshipDeclarations,
  type RelatedTables,
  type RelatedRow,
  type RelationshipsOf,
  type FieldsOf,
} from './model/relationship-declaration.ts'
export { Relationship, type Cascade, type CollectionOrder } from './model/relationship.ts'
export { Column, col } from './model/column.ts'
export { alias, AliasedTable } from './model/alias.ts'
export {
  bindParam,
  Expression,
  Aggregate,
  Labelled,
  OrderTerm,
  type ColumnInfo,
  type ParamNode,
  type ValueNode,
  type AggregateFunction,
  type ArraySubquery,
} from './model/expression.ts'
export {
  Condition,
  and,
  or,
  not,
  type ColumnQuery,
  type ConditionNode,
  type ComparisonOperator,
} from './model/condition.ts'
export { ValidationError, REDACTED, type ValidationIssue } from './model/validation-error.ts'
export type {
  RowOf,
  NewRowOf,
  Persisted,
  GeneratedKeyOf,
  ReferenceKeyOf,
  InputOf,
  ValueOf,
  PrimaryKeyOf,
  PrimaryKeyValueOf,
  SinglePrimaryKeyOf,
  PartialFields,
  Simplify,
} from './model/types.ts'
export type { Coercer } from './model/coerce.ts'

export { createEngine, Engine, type EngineOptions } from './engine/engine.ts'
export type { Replicas, ReplicaLagOptions, ReplicaStatus } from './engine/replicas.ts'
export type { DatabaseOf, DatabaseTableOf } from './engine/database-type.ts'
export { createAll, dropAll, type SchemaOptions } from './engine/ddl.ts'
export { parseDatabaseUrl, redactUrl, type DatabaseUrl, type DialectName } from './engine/url.ts'
export type { SqliteOptions } from './engine/dialect/sqlite/sqlite-driver.ts'
export type { Executor, ExecutorConnection, ExecutorOptions } from './engine/executor.ts'
export type { RowShape, Statement } from './engine/statement.ts'
export type {
  Dialect,
  PoolOptions,
  MigrationSupport,
  MigrationLock,
  AlterColumnStyle,
} from './engine/dialect/dialect.ts'

// Migrations: compare models with the database, write revision files, run them through Kysely's Migrator.
export { autogenerate, type AutogenerateOptions } from './engine/migrate/autogenerate.ts'
export type { SchemaChange, SchemaChangeKind, SchemaDiff } from './engine/migrate/schema-changes.ts'
export type { ColumnRename } from './engine/migrate/diff.ts'
export { assertNoNulls, assertNoRowsToFill } from './engine/migrate/not-null.ts'
export { REVIEW_MARKER } from './engine/migrate/review.ts'
export { renderMigration, type RenderOptions } from './engine/migrate/render.ts'
export {
  createMigrator,
  Migrator,
  type MigratorOptions,
  type RevisionInfo,
  type RevisionStatus,
  type UpgradeOptions,
  type CheckResult,
  type WrittenRevision,
} from './engine/migrate/migrator.ts'
export {
  rebuildTable,
  type RebuildChanges,
  type ColumnChange,
} from './engine/dialect/sqlite/sqlite-rebuild.ts'
export type {
  TableSchema,
  ColumnSchema,
  FillValue,
  IndexSchema,
  UniqueSchema,
  ForeignKeySchema,
  ReferentialAction,
} from './engine/schema.ts'
export { defineConfig, type OnemodelConfig } from './cli/config.ts'
/** Kysely's raw SQL tag, for migrations and queries onemodel does not model. */
export { sql } from 'kysely'

export { Session } from './orm/session.ts'
export type { SessionOptions, GetOptions, ExecOptions } from './orm/session-options.ts'
export type { IsolationLevel } from './orm/connection-scope.ts'
export type { ParamValues } from './orm/bind-params.ts'
export {
  selectinload,
  LoadOption,
  type LoadPath,
  type RelationshipNames,
  type RelationshipPath,
} from './orm/load-option.ts'
export {
  select,
  Select,
  type AnySelect,
  type PageParam,
  type SelectState,
  type LockOptions,
  type RowLock,
  type TablesOf,
} from './orm/select.ts'
export type {
  Entity,
  EntityName,
  SelectItem,
  Selection,
  TablesIn,
  ItemValue,
  ResultOf,
  ColumnOf,
  ScalarOf,
} from './orm/select-types.ts'
export type { Join } from './orm/joins.ts'
export { count, countDistinct, sum, avg, min, max, exists } from './orm/functions.ts'
export { Result, PendingResult } from './orm/result.ts'
export {
  update,
  deleteFrom,
  Update,
  Delete,
  BulkWrite,
  type BulkWriteState,
  type UpdateValues,
  type WriteResult,
  type ReturningResult,
} from './orm/bulk-write.ts'
export {
  insert,
  Insert,
  OnConflict,
  type ColumnNames,
  type InsertState,
  type SelectFits,
} from './orm/insert.ts'
export type { ConflictAction } from './orm/insert-conflict.ts'
export type { InsertSource } from './orm/insert-select.ts'
export { RowTemplate, type InsertRow } from './orm/insert-params.ts'

export { createApp, App } from './http/app.ts'
export type { AppOptions, Lifespan, ListenOptions } from './http/app-options.ts'
export type { HealthOptions } from './http/health.ts'
export {
  path,
  query,
  header,
  cookie,
  form,
  body,
  Param,
  BodyParam,
  FormModelParam,
  type Location,
  type ParamOptions,
  type Params,
  type Args,
  type ParamSpec,
  type OptionsOf as ParamOptionsOf,
  type ValueFor as ParamValueFor,
} from './http/params.ts'
export {
  depends,
  Dependency,
  DependencyOverrides,
  type RequestContext,
  type DependencyFunction,
  type Resource,
  type Yielding,
} from './http/depends.ts'
export { list, ListOf, type ResponseModel, type ResponseValue } from './http/response.ts'
export { HTTPError, RequestValidationError, ResponseValidationError } from './http/http-error.ts'
export type { RouteOptions, Handler, HandlerResult, HttpMethod, ExtraResponses } from './http/route.ts'
export type {
  AnswerOf,
  DependencyInputs,
  Endpoint,
  Included,
  InputParams,
  PrefixOf,
  RouteEntry,
  Rebind,
  RoutesOf,
  WithRoute,
  WithRoutes,
} from './http/route-types.ts'
export { createRouter, Router, type RouterOptions } from './http/api-router.ts'
export { OutgoingResponse, type CookieOptions } from './http/outgoing-response.ts'
export {
  fileResponse,
  streamResponse,
  eventStream,
  StreamedResponse,
  type FileResponseOptions,
  type StreamResponseOptions,
  type ServerSentEvent,
} from './http/streams.ts'
export {
  oauth2PasswordBearer,
  oauth2PasswordRequestForm,
  httpBearer,
  httpBasic,
  apiKeyHeader,
  apiKeyQuery,
  apiKeyCookie,
  SecurityDependency,
  type SecurityScheme,
  type SchemeOptions,
  type Credential,
  type HTTPAuthorizationCredentials,
  type HTTPBasicCredentials,
  type OAuth2PasswordRequest,
} from './http/security.ts'
export {
  security,
  securityScopes,
  SecurityScopes,
  ScopedDependency,
  SecurityScopesParam,
} from './http/security-scopes.ts'
export { file, files, FileParam, type FileOptions, type UploadedFile } from './http/uploads.ts'
export { MiddlewareResponse, ResponseHeaders, type Middleware } from './http/middleware.ts'
export type { CorsOptions } from './http/cors.ts'
export type { ExceptionAnswer, ExceptionHandler, ErrorClass } from './http/exception-handlers.ts'
export { backgroundTasks, BackgroundTasks } from './http/background.ts'
