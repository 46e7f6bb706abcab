/**
 * The schema, as an ordered list of migrations shared by SQLite and PostgreSQL. Each migration is written once with
 * column-type placeholders; only the types differ between engines (JSON as TEXT/JSONB, instants as ISO-8601
 * TEXT/TIMESTAMPTZ, booleans as INTEGER 0/1 / BOOLEAN). Applied ids are recorded in `schema_migrations`.
 * Never edit a released migration: append a new one.
 */

export type Dialect = 'sqlite' | 'postgres';

interface ColumnTypes {
  json: string;
  time: string;
  bool: string;
}

const TYPES: Record<Dialect, ColumnTypes> = {
  // SQLite: ISO-8601 UTC text (toISOString, fixed width) compares correctly as text.
  sqlite: { json: 'TEXT', time: 'TEXT', bool: 'INTEGER' },
  postgres: { json: 'JSONB', time: 'TIMESTAMPTZ', bool: 'BOOLEAN' },
};

export interface Migration {
  id: string;
  sql(dialect: Dialect): string;
}

export function schemaMigrationsDdl(dialect: Dialect): string {
  return `CREATE TABLE IF NOT EXISTS schema_migrations (
  id TEXT PRIMARY KEY,
  applied_at ${TYPES[dialect].time} NOT NULL
)`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_initial',
    sql(dialect) {
      const t = TYPES[dialect];
      return `
CREATE TABLE portals (
  member_id TEXT PRIMARY KEY,
  domain TEXT NOT NULL,
  client_endpoint TEXT NOT NULL,
  server_endpoint TEXT NOT NULL,
  application_token TEXT NOT NULL,
  status TEXT NOT NULL,
  scope TEXT NOT NULL,
  plan TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  culture TEXT NOT NULL,
  admin_user_id INTEGER NOT NULL,
  app_version INTEGER NOT NULL,
  installed_at ${t.time} NOT NULL,
  updated_at ${t.time} NOT NULL,
  uninstalled_at ${t.time},
  last_activity_at ${t.time}
);
CREATE INDEX portals_domain ON portals (lower(domain));

CREATE TABLE tokens (
  member_id TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  access_token TEXT NOT NULL,
  refresh_token TEXT NOT NULL,
  expires_at ${t.time} NOT NULL,
  scope TEXT NOT NULL,
  updated_at ${t.time} NOT NULL,
  PRIMARY KEY (member_id, user_id)
);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  robot_code TEXT NOT NULL,
  source TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  workflow_id TEXT,
  event_token TEXT,
  document_id ${t.json},
  document_type ${t.json},
  properties ${t.json} NOT NULL,
  user_id INTEGER,
  use_subscription ${t.bool} NOT NULL,
  fired_at ${t.time} NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  available_at ${t.time} NOT NULL,
  lease_owner TEXT,
  lease_until ${t.time},
  return_values ${t.json},
  log_message TEXT,
  last_error TEXT,
  event_sent_at ${t.time},
  created_at ${t.time} NOT NULL,
  updated_at ${t.time} NOT NULL,
  finished_at ${t.time}
);
-- enqueueRun is idempotent on (member_id, dedupe_key): ON CONFLICT DO NOTHING relies on this index.
CREATE UNIQUE INDEX runs_dedupe ON runs (member_id, dedupe_key);
CREATE INDEX runs_claim ON runs (state, available_at);
CREATE INDEX runs_portal ON runs (member_id, state);

CREATE TABLE steps (
  run_id TEXT NOT NULL,
  step_key TEXT NOT NULL,
  value ${t.json} NOT NULL,
  created_at ${t.time} NOT NULL,
  PRIMARY KEY (run_id, step_key)
);

CREATE TABLE settings (
  member_id TEXT PRIMARY KEY,
  value ${t.json} NOT NULL,
  updated_at ${t.time} NOT NULL
);

CREATE TABLE portal_state (
  member_id TEXT NOT NULL,
  state_key TEXT NOT NULL,
  value ${t.json} NOT NULL,
  updated_at ${t.time} NOT NULL,
  PRIMARY KEY (member_id, state_key)
);

CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  job TEXT NOT NULL,
  cron TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  enabled ${t.bool} NOT NULL,
  last_run_at ${t.time},
  next_run_at ${t.time}
);
CREATE INDEX schedules_portal ON schedules (member_id);

-- claimTick: the primary key makes a tick fire once across instances.
CREATE TABLE schedule_ticks (
  schedule_id TEXT NOT NULL,
  tick_at ${t.time} NOT NULL,
  claimed_at ${t.time} NOT NULL,
  PRIMARY KEY (schedule_id, tick_at)
);

-- Named lock leases. Used by SQLite only (PostgreSQL uses advisory locks); kept in both for one schema.
CREATE TABLE locks (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until ${t.time} NOT NULL
);
`;
    },
  },
];
