import {
  backgroundTasks,
  createAll,
  createApp,
  createEngine,
  depends,
  field,
  model,
  path,
  query,
  select,
  Session,
  table,
} from 'onemodel-ts'

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///notifications.db')

const Notification = table(
  'notification',
  model('Notification', {
    id: field.integer({ primaryKey: true }),
    email: field.string({ maxLength: 100 }),
    message: field.string({ maxLength: 200 }),
  }),
)

const getSession = depends(async function* getSession() {
  await using session = new Session(engine)
  yield session
})

async function writeNotification(session: Session, email: string, message = '') {
  await new Promise((resolve) => setTimeout(resolve, 100)) // sending an email takes a while
  session.add(Notification.create({ email, message }))
  await session.commit()
}

const app = createApp({ lifespan: { startup: () => createAll(engine) } })

app.post(
  '/send-notification/{email}',
  { params: { email: path.string(), background: backgroundTasks, session: getSession } },
  async function sendNotification({ email, background, session }) {
    background.add(writeNotification, session, email, 'some notification')
    return { message: 'Notification sent in the background' }
  },
)

const getQuery = depends(
  { q: query.string({ optional: true }), background: backgroundTasks, session: getSession },
  function getQuery({ q, background, session }) {
    if (q !== undefined) background.add(writeNotification, session, 'admin@example.com', `found query: ${q}`)
    return q
  },
)

app.post(
  '/send-notification-with-query/{email}',
  { params: { email: path.string(), background: backgroundTasks, session: getSession, q: getQuery } },
  async function sendNotificationWithQuery({ email, background, session }) {
    background.add(writeNotification, session, email, `message to ${email}`)
    return { message: 'Message sent' }
  },
)

const address = await app.listen({ port: 0, signals: false })

for (const url of [
  '/send-notification/deadpond@example.com',
  '/send-notification-with-query/rusty@example.com?q=heroes',
]) {
  const response = await fetch(address + url, { method: 'POST' })
  console.log('POST', url, response.status, await response.text())
}

// Closing waits for the tasks still running.
await app.close()

{
  await using session = new Session(engine)
  const notifications = await session.exec(select(Notification).orderBy(Notification.c.id)).all()
  for (const { id, email, message } of notifications) console.log(id, email, message)
}
await engine.dispose()
