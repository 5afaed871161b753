/**
 * Type tests for middleware, exception handlers and background tasks: `background.add(fn, ...args)` takes
 * exactly the task's arguments, a middleware's `next()` gives the answer's status and headers, and an
 * exception handler gets the error of the class it is declared for. Checked by `tsc --noEmit` only.
 */
import {
  backgroundTasks,
  createApp,
  IntegrityError,
  RequestValidationError,
  type BackgroundTasks,
  type MiddlewareResponse,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const app = createApp({ cors: { allowOrigins: ['https://heroes.example'], allowMethods: ['*'], maxAge: 60 } })

function writeNotification(email: string, message = '', urgent?: boolean): void {
  void [email, message, urgent]
}

app.post('/send-notification', { params: { background: backgroundTasks } }, ({ background }) => {
  type _background = Expect<Equal<typeof background, BackgroundTasks>>
  background.add(writeNotification, 'deadpond@example.com', 'some notification')
  background.add(writeNotification, 'deadpond@example.com')
  background.add(writeNotification, 'deadpond@example.com', 'urgent', true)
  background.add(async () => {})
  // @ts-expect-error: the task's first argument is a string
  background.add(writeNotification, 42)
  // @ts-expect-error: the task takes an email
  background.add(writeNotification)
  // @ts-expect-error: one argument too many
  background.add(writeNotification, 'a', 'b', true, 'extra')
  // @ts-expect-error: not a function
  background.add('writeNotification')
  return null
})

app.middleware(async (request, next) => {
  type _request = Expect<Equal<typeof request.method, string>>
  const response = await next()
  type _response = Expect<Equal<typeof response, MiddlewareResponse>>
  type _status = Expect<Equal<typeof response.status, number>>
  type _header = Expect<Equal<ReturnType<typeof response.headers.get>, string | null>>
  response.status = 201
  response.headers.set('x-process-time', '0.1')
  // @ts-expect-error: a header's value is a string
  response.headers.set('x-count', 1)
})

// @ts-expect-error: a middleware changes the answer in place; it returns nothing, not the answer
app.middleware((_request, next) => next())

app.exceptionHandler(IntegrityError, (error) => {
  type _error = Expect<Equal<typeof error, IntegrityError>>
  return { status: 409, body: { constraint: error.constraint } }
})
app.exceptionHandler(RequestValidationError, async (error) => ({
  status: 422,
  body: { errors: error.issues.map((issue) => issue.msg) },
}))
// @ts-expect-error: an answer has a status
app.exceptionHandler(IntegrityError, () => ({ body: {} }))
// @ts-expect-error: the class of an error
app.exceptionHandler(String, () => ({ status: 400 }))

// @ts-expect-error: FastAPI's option names, camel-cased
createApp({ cors: { origins: ['*'] } })
