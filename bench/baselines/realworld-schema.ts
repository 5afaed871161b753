/**
 * The RealWorld schema the baselines run on (realworld-raw-api.ts, realworld-drizzle.ts), and how they open a
 * DATABASE_URL: the tables, constraints and indexes that `createAll` makes of examples/realworld/models.ts
 * on SQLite (the comments table left out, no scenario uses it), with onemodel's SQLite settings (WAL,
 * NORMAL), so the bench compares the code above the database and not two databases.
 */
import { DatabaseSync } from 'node:sqlite'

export const SCHEMA = `
create table if not exists "user" ("username" varchar(100) not null, "email" varchar(254) not null,
  "id" integer not null primary key, "password_hash" text not null, "bio" text, "image" text,
  constraint "uq_user_username" unique ("username"), constraint "uq_user_email" unique ("email"));
create table if not exists "follow" ("follower_id" integer not null, "followed_id" integer not null,
  constraint "follow_pkey" primary key ("follower_id", "followed_id"),
  constraint "fk_follow_follower_id_user" foreign key ("follower_id") references "user" ("id") on delete cascade,
  constraint "fk_follow_followed_id_user" foreign key ("followed_id") references "user" ("id") on delete cascade);
create table if not exists "article" ("title" varchar(200) not null, "description" varchar(500) not null,
  "body" text not null, "id" integer not null primary key, "slug" varchar(255) not null,
  "author_id" integer not null, "created_at" text not null, "updated_at" text not null,
  constraint "uq_article_slug" unique ("slug"),
  constraint "fk_article_author_id_user" foreign key ("author_id") references "user" ("id") on delete cascade);
create index if not exists "ix_article_author_id" on "article" ("author_id");
create index if not exists "ix_article_created_at" on "article" ("created_at");
create table if not exists "tag" ("id" integer not null primary key, "name" varchar(100) not null,
  constraint "uq_tag_name" unique ("name"));
create table if not exists "article_tag" ("article_id" integer not null, "tag_id" integer not null,
  constraint "article_tag_pkey" primary key ("article_id", "tag_id"),
  constraint "fk_article_tag_article_id_article" foreign key ("article_id") references "article" ("id") on delete cascade,
  constraint "fk_article_tag_tag_id_tag" foreign key ("tag_id") references "tag" ("id"));
create index if not exists "ix_article_tag_tag_id" on "article_tag" ("tag_id");
create table if not exists "favorite" ("user_id" integer not null, "article_id" integer not null,
  constraint "favorite_pkey" primary key ("user_id", "article_id"),
  constraint "fk_favorite_user_id_user" foreign key ("user_id") references "user" ("id") on delete cascade,
  constraint "fk_favorite_article_id_article" foreign key ("article_id") references "article" ("id") on delete cascade);
create index if not exists "ix_favorite_article_id" on "favorite" ("article_id");
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
