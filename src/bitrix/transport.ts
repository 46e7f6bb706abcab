/**
 * One REST request: POST JSON to `${clientEndpoint}${method}` with the token in the body as `auth` (PROTOCOL §4.5),
 * parse the envelope or the error (§5.1). A portal whose domain changed answers 302; many clients turn a redirected
 * POST into a GET and lose the body, so redirects are not followed by axios (maxRedirects 0) but here, by re-posting
 * the same body to `Location`. The caller learns the new endpoint and stores it.
 */
import axios, { type AxiosInstance } from 'axios';
import { B24Error, ClientErrorCode, redactSecrets } from './errors';
import { countRequest } from './runtime';
import type { ClientMetrics, RestParams, RestResponse } from './types';

/** A single request is cut off after 60 s on cloud (PROTOCOL §5.3); a little more for the network. */
const DEFAULT_TIMEOUT_MS = 65_000;
const MAX_REDIRECTS = 3;

export interface MovedPortal {
  clientEndpoint: string;
  domain: string;
}

export interface TransportResult<T = unknown> {
  envelope: RestResponse<T>;
  status: number;
  /** Set when the portal answered 302 and the request succeeded at the new address. */
  moved?: MovedPortal;
}

export interface Transport {
  post<T = unknown>(request: {
    clientEndpoint: string;
    method: string;
    params?: RestParams;
    accessToken: string;
    memberId: string;
  }): Promise<TransportResult<T>>;
}

/** Positional params (`[691, {...}]`) travel as `{"0": 691, "1": {...}}` so `auth` can sit beside them. */
function bodyOf(params: RestParams | undefined, accessToken: string): Record<string, unknown> {
  const base: Record<string, unknown> = Array.isArray(params)
    ? Object.fromEntries(params.map((value, index) => [String(index), value]))
    : { ...(params ?? {}) };
  delete base.access_token;
  base.auth = accessToken;
  return base;
}

/** `https://new.bitrix24.ru/rest/crm.item.get` → `https://new.bitrix24.ru/rest/`. */
export function endpointFromLocation(location: URL, method: string): MovedPortal {
  const path = location.pathname;
  const lower = path.toLowerCase();
  const suffixes = [`/${method.toLowerCase()}`, `/${method.toLowerCase()}.json`];
  const suffix = suffixes.find((s) => lower.endsWith(s));
  let base: string;
  if (suffix) base = path.slice(0, path.length - suffix.length + 1);
  else if (lower.includes('/rest/')) base = path.slice(0, lower.indexOf('/rest/') + '/rest/'.length);
  else base = '/rest/';
  return { clientEndpoint: `${location.origin}${base}`, domain: location.host };
}

function parseJson(text: unknown): any {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function createTransport(options: { http?: AxiosInstance; metrics: ClientMetrics; timeoutMs?: number }): Transport {
  const http = options.http ?? axios.create();
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    async post<T>(request: {
      clientEndpoint: string;
      method: string;
      params?: RestParams;
      accessToken: string;
      memberId: string;
    }): Promise<TransportResult<T>> {
      const { method, memberId, accessToken } = request;
      const body = bodyOf(request.params, accessToken);
      let url = new URL(`${request.clientEndpoint}${method}`);
      let moved: MovedPortal | undefined;

      for (let hop = 0; ; hop++) {
        let response;
        try {
          response = await http.post(url.toString(), body, {
            maxRedirects: 0,
            timeout,
            validateStatus: () => true,
            responseType: 'text',
            transformResponse: (data: unknown) => data,
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          });
        } catch (error) {
          countRequest(options.metrics, method, 0);
          // Never rethrow the axios error itself: its config holds the body, and the body holds the token.
          const e = error as { code?: string; message?: string };
          throw new B24Error({
            code: ClientErrorCode.NETWORK_ERROR,
            status: 0,
            method,
            memberId,
            description: `${e.code ?? 'network error'}: ${e.message ?? ''} (check that ${url.host} is reachable)`,
            secrets: [accessToken],
          });
        }
        countRequest(options.metrics, method, response.status);

        if (response.status >= 300 && response.status < 400 && response.headers?.location) {
          // PROTOCOL §4.5: the portal's domain changed; re-send the same POST to the new address.
          const next = new URL(String(response.headers.location), url);
          const downgrade = url.protocol === 'https:' && next.protocol !== 'https:';
          if (hop >= MAX_REDIRECTS || downgrade || !['http:', 'https:'].includes(next.protocol)) {
            throw new B24Error({
              code: ClientErrorCode.BAD_REDIRECT,
              status: response.status,
              method,
              memberId,
              description: `the portal redirected to ${next.origin}, which was not followed (too many hops or insecure)`,
            });
          }
          url = next;
          moved = endpointFromLocation(next, method);
          continue;
        }

        const parsed = parseJson(response.data);
        if (response.status === 200 && parsed && typeof parsed === 'object' && 'result' in parsed) {
          return { envelope: parsed as RestResponse<T>, status: response.status, ...(moved ? { moved } : {}) };
        }
        if (parsed && typeof parsed === 'object' && 'error' in parsed) {
          // Legacy crm methods send "error": "" and numeric codes exist (PROTOCOL §5.1): keep them as strings.
          throw new B24Error({
            code: parsed.error === null || parsed.error === undefined ? '' : String(parsed.error),
            status: response.status,
            method,
            memberId,
            description: String(parsed.error_description ?? ''),
            operatingResetAt: parsed.time?.operating_reset_at,
            secrets: [accessToken],
          });
        }
        throw new B24Error({
          code: response.status >= 500 ? `HTTP_${response.status}` : ClientErrorCode.BAD_RESPONSE,
          status: response.status,
          method,
          memberId,
          description: redactSecrets(
            `unexpected answer from ${url.host}: ${String(response.data ?? '').slice(0, 200)}`,
            [accessToken],
          ),
        });
      }
    },
  };
}
