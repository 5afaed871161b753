/**
 * The RealWorld schema both baselines run on (realworld-raw.ts, realworld-drizzle.ts), and how they open a
 * DATABASE_URL: the same tables, indexes and SQLite settings as onemodel's defaults (WAL, NORMAL), so the
 * bench compares the code above the database and not two databases.
 */
import { DatabaseSync } from 'node:sqlite'

export const SCHEMA = `
create table if not exists user (
  id integer not null primary key,
  username varchar not null unique,
  email varchar not null unique,
  password_hash varchar not null,
  bio varchar not null default '',
  image varchar not null default ''
);
create table if not exists follow (
  follower_id integer not null references user (id) on delete cascade,
  followed_id integer not null references user (id) on delete cascade,
  primary key (follower_id, followed_id)
);
create table if not exists article (
  id integer not null primary key,
  slug varchar not null unique,
  title varchar not null,
  description varchar not null,
  body varchar not null,
  author_id integer not null references user (id) on delete cascade,
  created_at varchar not null,
  updated_at varchar not null
);
create index if not exists ix_article_author_id on article (author_id);
create index if not exists ix_article_created_at on article (created_at);
create table if not exists tag (
  id integer not null primary key,
  name varchar not null unique
);
create table if not exists article_tag (
  article_id integer not null references article (id) on delete cascade,
  tag_id integer not null references tag (id) on delete cascade,
  primary key (article_id, tag_id)
);
create index if not exists ix_article_tag_tag_id on article_tag (tag_id);
create table if not exists favorite (
  user_id integer not null references user (id) on delete cascade,
  article_id integer not null references article (id) on delete cascade,
  primary key (user_id, article_id)
);
create index if not exists ix_favorite_article_id on favorite (article_id);
`

/** Opens the SQLite file of `url` (`sqlite:///path`) with onemodel's settings, and creates the schema. */
export function openRealworld(url = process.env.DATABASE_URL ?? 'sqlite:///realworld.db'): DatabaseSync {
  const db = new DatabaseSync(url.replace(/^sqlite:\/\/\//, ''))
  db.exec(
    'pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma busy_timeout = 5000',
  )
  db.exec(SCHEMA)
  return db
}
