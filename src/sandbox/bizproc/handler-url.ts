/**
 * Handler URL check as the portal does it (`HandlerHelper::checkCallback`, PROTOCOL §1.2): the URL parses, its host
 * has a dot that is not the first character, and the scheme is http or https. So `http://127.0.0.1:3000/robot`
 * passes and `http://localhost/robot` does not. Used by robot/action registration and by `event.bind`.
 */
import { RestError } from '../contract';

export const MAX_HANDLER_LENGTH = 1000;

export function wrongHandlerUrl(): RestError {
  return new RestError(400, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
}

export function checkHandlerUrl(handler: unknown): string {
  if (typeof handler !== 'string' || handler === '') throw wrongHandlerUrl();
  let url: URL;
  try {
    url = new URL(handler);
  } catch {
    throw wrongHandlerUrl();
  }
  // `new URL` lower-cases the host and keeps IPv4 literals as they are, like PHP's parse_url for these inputs.
  const host = url.hostname;
  if (host.length === 0 || host.indexOf('.') <= 0) throw wrongHandlerUrl();
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RestError(400, 'ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported handler protocol');
  }
  return handler;
}
