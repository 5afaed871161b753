/**
 * `onemodel-ts/client`: a typed client for an onemodel app, from the app's type. It imports nothing of the
 * server at runtime, so a front end or another service can bundle it alone.
 */
export { createClient, type Client, type ClientCall, type ClientOptions } from './client.ts'
export { ClientError } from './client-error.ts'
export type {
  EndpointAt,
  InputArgs,
  Jsonified,
  PathsWith,
  RequestInput,
  ResponseOf,
  WireScalar,
} from './types.ts'
