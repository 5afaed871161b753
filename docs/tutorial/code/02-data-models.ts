import { field, model, table } from 'onemodel-ts'

// 1. Input (no id: the client doesn't provide it)
export const HeroCreate = model('HeroCreate', {
  name: field.string(),
  secret_name: field.string(),
  age: field.integer({ nullable: true, default: null }),
})

// 2. Table (inherits the fields, adds the database-specific columns)
export const Hero = table('hero', HeroCreate.extend('Hero', { id: field.integer({ primaryKey: true }) }))

// 3. Output (exposes only the safe fields)
export const HeroPublic = model('HeroPublic', {
  id: field.integer(),
  name: field.string(),
  age: field.integer({ nullable: true, default: null }),
})
