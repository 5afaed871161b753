/**
 * Background tasks (FastAPI's `BackgroundTasks`): work a handler queues to run after its answer has been
 * sent, such as a notification, so that the client does not wait for it.
 */
import type { FastifyRequest } from 'fastify'
import { depends } from './depends.ts'
import type { Report } from './report.ts'

/** A request's queue of tasks, run in order once the answer has been sent. */
export class BackgroundTasks {
  readonly #tasks: { readonly name: string; readonly run: () => unknown }[] = []

  /**
   * Queues `task(...args)`; the arguments are checked against the task's parameters.
   *
   * @example
   * background.add(writeNotification, email, 'some notification')
   */
  add<const A extends readonly unknown[]>(task: (...args: A) => unknown, ...args: A): void {
    this.#tasks.push({ name: task.name || 'anonymous task', run: () => task(...args) })
  }

  /**
   * Runs the tasks in order, each awaited. One that fails is reported (its name and error, never its
   * arguments, which may hold a secret) and the tasks after it do not run, as Starlette's.
   */
  async run(request: FastifyRequest, report: Report): Promise<void> {
    for (const [index, task] of this.#tasks.entries()) {
      try {
        await task.run()
      } catch (error) {
        const skipped = this.#tasks.length - index - 1
        const rest = skipped === 0 ? '' : ` (${skipped} later task${skipped === 1 ? '' : 's'} not run)`
        report(request, 'error', `background task ${task.name} failed${rest}`, error)
        break
      }
    }
    this.#tasks.length = 0
  }
}

const queues = new WeakMap<FastifyRequest, BackgroundTasks>()

/**
 * The request's background tasks, as a parameter: `params: { background: backgroundTasks }`. The tasks run
 * after the answer has been sent and before the dependencies' cleanup, so a task may still use the
 * request's Session (as FastAPI runs them, before 0.106 and again since 0.118). They do not run when the
 * handler fails. Graceful shutdown waits for them.
 *
 * @example
 * app.post('/send-notification/{email}', { params: { email: path.string(), background: backgroundTasks } },
 *   ({ email, background }) => {
 *     background.add(writeNotification, email, 'some notification')
 *     return { message: 'Notification sent in the background' }
 *   })
 */
export const backgroundTasks = depends(function backgroundTasks(_args, { request }) {
  let tasks = queues.get(request)
  if (!tasks) queues.set(request, (tasks = new BackgroundTasks()))
  return tasks
})

/**
 * Runs the background tasks `request` queued, if any (`undefined` when it queued none): the route's
 * cleanup calls it first.
 */
export function runBackgroundTasks(request: FastifyRequest, report: Report): Promise<void> | undefined {
  return queues.get(request)?.run(request, report)
}
