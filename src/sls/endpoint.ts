import { SlsValidationError } from './errors.ts';

/** Where to connect, and the Host header SLS needs to see. */
export interface ResolvedEndpoint {
  /** `scheme://host[:port]` of the server the connection goes to. */
  readonly origin: string;
  /** `{project}.{endpoint host[:port]}`: SLS routes on the project in the Host header. */
  readonly host: string;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

/**
 * Resolves an endpoint for a project.
 *
 * - A bare host (`cn-hangzhou.log.aliyuncs.com`) means `https://{project}.{host}`.
 * - A URL (`http://127.0.0.1:9000`) means: connect there, but still send
 *   `Host: {project}.{host:port}` so the server sees the project as SLS does. Plain `http` is
 *   allowed for loopback only, so credentials-signed traffic never crosses a network unencrypted.
 */
export function resolveEndpoint(endpoint: string, project: string): ResolvedEndpoint {
  if (!endpoint.includes('://')) {
    if (!HOSTNAME.test(endpoint)) {
      throw new SlsValidationError(`endpoint ${JSON.stringify(endpoint)} is not a host name or URL`);
    }
    const host = `${project}.${endpoint.toLowerCase()}`;
    return { origin: `https://${host}`, host };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new SlsValidationError(`endpoint ${JSON.stringify(endpoint)} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SlsValidationError(`endpoint ${JSON.stringify(endpoint)} must use https`);
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    throw new SlsValidationError(
      `endpoint ${JSON.stringify(endpoint)} uses plain http, which is allowed for loopback addresses only`,
    );
  }
  if (
    url.username ||
    url.password ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash
  ) {
    throw new SlsValidationError(
      `endpoint ${JSON.stringify(url.origin)} must be scheme://host[:port] with no path, query or user`,
    );
  }
  return { origin: url.origin, host: `${project}.${url.host}` };
}
