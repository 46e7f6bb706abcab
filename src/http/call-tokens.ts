/**
 * Keeping the freshest token pair of each (portal, user). Robot calls carry a token pair minted for the step's user,
 * refresh token included (PROTOCOL §2.2, `sendRefreshToken`); the worker uses the stored pair for that run's work.
 * A pair is saved only when it expires later than the stored one, so a delayed call never rolls back a pair the
 * client has just refreshed. Every call brings a new pair; writing each would double the receiver's store writes,
 * so pairs expiring within `slackMs` of the stored one are skipped (the stored one is still fresh).
 */
import type { Store, TokenRecord } from '../store/types';
import type { FormObject } from '../util/bracket-form';
import { stringField } from './body';

const DEFAULT_SLACK_MS = 15 * 60_000;
const CACHE_LIMIT = 10_000;

export interface CallTokens {
  userId: number;
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  scope: string;
}

/** The token pair of a call's `auth` object, or null when it has none (events carry no refresh token). */
export function tokensOfAuth(auth: FormObject | undefined, now: Date): CallTokens | null {
  const accessToken = stringField(auth, 'access_token');
  const refreshToken = stringField(auth, 'refresh_token');
  const userId = Number(stringField(auth, 'user_id'));
  if (!accessToken || !refreshToken || !Number.isInteger(userId) || userId <= 0) return null;
  const expires = Number(stringField(auth, 'expires'));
  const expiresIn = Number(stringField(auth, 'expires_in') ?? 3600);
  const expiresAt = Number.isFinite(expires) && expires > 0 ? new Date(expires * 1000) : new Date(now.getTime() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000);
  return { userId, accessToken, refreshToken, expiresAt, scope: stringField(auth, 'scope') ?? '' };
}

export interface TokenKeeper {
  /** Saves the pair if it is fresher than the stored one; true when written. */
  keep(memberId: string, tokens: CallTokens, now: Date): Promise<boolean>;
}

export function createTokenKeeper(store: Store, options: { slackMs?: number } = {}): TokenKeeper {
  const slack = options.slackMs ?? DEFAULT_SLACK_MS;
  // Expiry of the pair last seen stored, per `${memberId}:${userId}`: spares a store read per robot call.
  const known = new Map<string, number>();
  const remember = (key: string, expiresAt: number): void => {
    if (known.size >= CACHE_LIMIT) known.delete(known.keys().next().value as string);
    known.set(key, expiresAt);
  };
  return {
    async keep(memberId, tokens, now) {
      const key = `${memberId}:${tokens.userId}`;
      const incoming = tokens.expiresAt.getTime();
      const cached = known.get(key);
      if (cached !== undefined && cached >= incoming - slack) return false;
      const stored = await store.getToken(memberId, tokens.userId);
      if (stored && stored.expiresAt.getTime() >= incoming - slack) {
        remember(key, stored.expiresAt.getTime());
        return false;
      }
      const record: TokenRecord = {
        memberId,
        userId: tokens.userId,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: tokens.expiresAt,
        scope: tokens.scope,
        updatedAt: now,
      };
      await store.saveToken(record);
      remember(key, incoming);
      return true;
    },
  };
}
