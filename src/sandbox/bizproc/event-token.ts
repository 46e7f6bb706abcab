/**
 * Workflow ids, activity names, event ids and the signed `event_token` (PROTOCOL §2.4):
 * `<workflow_id>|<activity name>|<eventId>.<64 hex HMAC-SHA256>`, signed with a per-portal secret (salt 'bizproc').
 * The app cannot verify it; the portal checks the signature and answers 403 for a forged one.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** PHP `uniqid('', true)`: 8 hex of seconds, 5 hex of microseconds, then `%.8F` of a random float < 10. */
export function newWorkflowId(now: Date): string {
  const ms = now.getTime();
  const seconds = Math.floor(ms / 1000).toString(16).padStart(8, '0');
  const micros = ((ms % 1000) * 1000 + randomInt(1000)).toString(16).padStart(5, '0');
  return `${seconds}${micros}${randomInt(10)}.${String(randomInt(100_000_000)).padStart(8, '0')}`;
}

/** Activity names as the designer generates them, e.g. `A40364_79843_85254_57332`. */
export function newActivityName(): string {
  const part = () => String(randomInt(10_000, 100_000));
  return `A${part()}_${part()}_${part()}_${part()}`;
}

/** 32 random characters; a new one every time a step executes. */
export function newEventId(): string {
  const bytes = randomBytes(32);
  let id = '';
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

function signature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`bizproc${payload}`).digest('hex');
}

export function signEventToken(secret: string, workflowId: string, activityName: string, eventId: string): string {
  const payload = `${workflowId}|${activityName}|${eventId}`;
  return `${payload}.${signature(secret, payload)}`;
}

export interface EventTokenParts {
  workflowId: string;
  activityName: string;
  eventId: string;
}

/** The token's parts, or null when it is missing, malformed or its signature does not match. */
export function verifyEventToken(secret: string, token: unknown): EventTokenParts | null {
  if (typeof token !== 'string') return null;
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'utf8');
  const expected = Buffer.from(signature(secret, payload), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const parts = payload.split('|');
  if (parts.length !== 3) return null;
  const [workflowId, activityName, eventId] = parts;
  return { workflowId, activityName, eventId };
}
