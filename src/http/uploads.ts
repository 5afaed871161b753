/**
 * Form bodies and uploaded files (FastAPI's `Form()`, `File()` and `UploadFile`). `@fastify/formbody` parses
 * urlencoded bodies; `@fastify/multipart` (busboy) streams multipart ones, each file to a temporary file
 * that is deleted once the response is sent. Both parsers are registered only around the routes that take
 * a form, so every other route keeps reading its body raw.
 */
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ValidationIssue } from '../model/validation-error.ts'
import { HTTPError } from './http-error.ts'
import { RouteDefinitionError } from '../errors.ts'
import { FormModelParam, Param } from './params.ts'
import { missing, type RequestReader } from './request-input.ts'
import type { RouteDefinition } from './route.ts'
import { planRoute } from './route-plan.ts'

/** An uploaded file, saved to a temporary file that is deleted after the response is sent. */
export interface UploadedFile {
  /** The name the client gave (untrusted: never use it as a path). */
  readonly filename: string
  /** The part's `Content-Type` as the client sent it (untrusted). */
  readonly contentType: string
  /** Its size in bytes. */
  readonly size: number
  /** Where it is stored until the response is sent: read it, or copy it to keep it. */
  readonly path: string
}

/** Default largest file accepted: 10 MiB. */
export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024

/** Options of {@link file} and {@link files}. */
export interface FileOptions {
  /** The request may leave it out: the handler gets `undefined` (an empty list for {@link files}). */
  optional?: boolean
  /** The largest file accepted, in bytes; a larger one answers 413. Default 10 MiB. */
  maxSize?: number
  description?: string
}

/** One declared file parameter, one file or several under the same name. Immutable. */
export class FileParam<T = UploadedFile> {
  declare readonly '~value': T
  readonly list: boolean
  readonly optional: boolean
  readonly maxSize: number
  readonly description: string | undefined

  constructor(list: boolean, options: FileOptions) {
    this.list = list
    this.optional = options.optional === true
    this.maxSize = options.maxSize ?? DEFAULT_MAX_FILE_SIZE
    this.description = options.description
  }
}

/**
 * A file uploaded in a `multipart/form-data` body (FastAPI's `UploadFile`), streamed to a temporary file.
 * A route may mix files and {@link form} fields.
 *
 * @example
 * app.post('/uploadfile/', { params: { upload: file({ maxSize: 1024 * 1024 }) } },
 *   ({ upload }) => ({ filename: upload.filename, size: upload.size }))
 */
export function file<const O extends FileOptions = {}>(
  options?: O,
): FileParam<UploadedFile | (O extends { optional: true } ? undefined : never)> {
  return new FileParam(false, options ?? {})
}

/**
 * Several files under one name (FastAPI's `list[UploadFile]`); at least one unless `optional`.
 *
 * @example
 * app.post('/uploadfiles/', { params: { uploads: files() } }, ({ uploads }) => uploads.map((f) => f.filename))
 */
export function files(options: FileOptions = {}): FileParam<UploadedFile[]> {
  return new FileParam(true, options)
}

/** The fields and files of one request's form. */
export interface FormContent {
  readonly fields: Record<string, unknown>
  readonly files: Record<string, UploadedFile[]>
}

/** What a route's form accepts: the largest file any of its parameters takes, and how many files. */
export interface FormPlan {
  readonly maxFileSize: number
  /**
   * One per file parameter, or Starlette's default of 1000 when one takes a list: the form is read before
   * any dependency runs, so a request that will be refused must not fill the disk with files first.
   */
  readonly maxFiles: number
}

const MAX_FILES = 1000
/** Starlette's default. */
const MAX_FIELDS = 1000

/** The form plan of a route's inputs, or `undefined` when it takes no form. */
export function formPlanOf(specs: readonly unknown[], where: string): FormPlan | undefined {
  let inputs = 0
  let models = 0
  let maxFileSize = 0
  let maxFiles = 0
  for (const spec of specs) {
    if (spec instanceof FormModelParam) models++
    else if (spec instanceof FileParam) {
      maxFileSize = Math.max(maxFileSize, spec.maxSize)
      maxFiles = Math.min(MAX_FILES, maxFiles + (spec.list ? MAX_FILES : 1))
    } else if (!(spec instanceof Param && spec.location === 'form')) continue
    inputs++
  }
  if (models > 0 && inputs > 1) {
    throw new RouteDefinitionError(
      `${where}: a form model reads the whole form; declare the other form fields in the model.`,
    )
  }
  return inputs > 0 ? { maxFileSize, maxFiles } : undefined
}

/** The route reads a form: one of its inputs, or its dependencies', is a form field or a file. */
export function takesForm(route: RouteDefinition): boolean {
  return planRoute(route, new Map()).form !== undefined
}

/** Registers the form parsers on `instance`, an encapsulated context holding only the routes with forms. */
export async function registerFormParsers(instance: FastifyInstance, bodyLimit: number): Promise<void> {
  await instance.register(formbody, { bodyLimit })
  await instance.register(multipart, { limits: { fieldSize: bodyLimit } })
}

/**
 * Reads the request's form: a multipart body's fields and files (each file saved, deleted again after the
 * response), or an urlencoded body's fields. Any other body is an empty form, so its fields are missing.
 */
export async function readForm(request: FastifyRequest, plan: FormPlan): Promise<FormContent> {
  if (typeof request.isMultipart === 'function' && request.isMultipart()) {
    return await readMultipart(request, plan)
  }
  const body = request.body
  const fields = body !== null && typeof body === 'object' && !Buffer.isBuffer(body) ? body : {}
  return { fields: fields as Record<string, unknown>, files: {} }
}

async function readMultipart(request: FastifyRequest, plan: FormPlan): Promise<FormContent> {
  let saved
  try {
    saved = await request.saveRequestFiles({
      limits: { fileSize: plan.maxFileSize, files: plan.maxFiles, fields: MAX_FIELDS },
    })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(plan.maxFileSize)
    if (code === 'FST_FILES_LIMIT') {
      throw new HTTPError(413, `Too many files: this route takes at most ${plan.maxFiles}.`)
    }
    // @fastify/multipart's other errors carry their 4xx status (413 past the count limits); busboy's do not.
    if (error instanceof Error && 'statusCode' in error) throw error
    throw new HTTPError(400, 'There was an error parsing the body')
  }
  const fields: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(saved.values)) {
    const values = (Array.isArray(value) ? value : [value]).filter((part) => part?.type === 'field')
    // Busboy cuts a field past its size limit and goes on: taking what is left would lose data silently.
    if (values.some((part) => part.valueTruncated || part.fieldnameTruncated)) {
      throw new HTTPError(413, 'Form field too large.')
    }
    if (values.length > 0) fields[name] = values.map((part) => part.value)
  }
  const files: Record<string, UploadedFile[]> = {}
  for (const part of saved.files) {
    // Busboy counted the bytes as it wrote the file.
    const size = part.file.bytesRead
    const uploaded = { filename: part.filename, contentType: part.mimetype, size, path: part.filepath }
    ;(files[part.fieldname] ??= []).push(uploaded)
  }
  return { fields, files }
}

/** Reads the whole form into a form model, at `loc` `['body', field]`. */
export function readFormModel(
  reader: RequestReader,
  param: FormModelParam,
  issues: ValidationIssue[],
): unknown {
  // fromEntries defines each field as an own property, so a field named `__proto__` is just a field.
  const input = Object.fromEntries(
    Object.entries(reader.form?.fields ?? {}).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.at(-1) : value,
    ]),
  )
  const result = param.model.safeValidate(input, ['body'])
  if (result.success) return result.data
  issues.push(...result.issues)
  return undefined
}

function tooLarge(maxSize: number): HTTPError {
  return new HTTPError(413, `File too large: at most ${maxSize} bytes are accepted.`)
}

/** Reads a file parameter from the form read before; problems are pushed to `issues`. */
export function readFile(
  reader: RequestReader,
  param: FileParam,
  wire: string,
  issues: ValidationIssue[],
): unknown {
  const uploaded = reader.form?.files[wire] ?? []
  if (uploaded.length === 0) {
    if (!param.optional) issues.push(missing(['body', wire]))
    return param.list && param.optional ? [] : undefined
  }
  if (uploaded.some((one) => one.size > param.maxSize)) throw tooLarge(param.maxSize)
  return param.list ? uploaded : uploaded.at(-1)
}
