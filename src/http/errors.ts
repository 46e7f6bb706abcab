/**
 * Errors of the HTTP edge: a stable code, an HTTP status and a message that says what to do.
 * Answered as `{error, error_description}`, the shape Bitrix24 itself uses (PROTOCOL §5.1).
 */
import type { Response } from 'express';

export const HttpErrorCode = {
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  MALFORMED_BODY: 'MALFORMED_BODY',
  MISSING_FIELD: 'MISSING_FIELD',
  INVALID_FIELD: 'INVALID_FIELD',
  UNKNOWN_ROBOT: 'UNKNOWN_ROBOT',
  PORTAL_NOT_INSTALLED: 'PORTAL_NOT_INSTALLED',
  PORTAL_UNINSTALLED: 'PORTAL_UNINSTALLED',
  APPLICATION_TOKEN_MISMATCH: 'APPLICATION_TOKEN_MISMATCH',
  INSTALL_NOT_VERIFIED: 'INSTALL_NOT_VERIFIED',
  VERIFIER_UNAVAILABLE: 'VERIFIER_UNAVAILABLE',
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

export type HttpErrorCode = (typeof HttpErrorCode)[keyof typeof HttpErrorCode];

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function missingField(field: string): HttpError {
  return new HttpError(400, HttpErrorCode.MISSING_FIELD, `"${field}" is missing: Bitrix24 always sends it, so this is not a Bitrix24 call`);
}

export function invalidField(field: string, expected: string): HttpError {
  return new HttpError(400, HttpErrorCode.INVALID_FIELD, `"${field}" must be ${expected}`);
}

export function sendError(res: Response, error: HttpError): void {
  res.status(error.status).json({ error: error.code, error_description: error.message });
}
