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

type Parsed = { readonly url: URL } | { readonly host: string } | { readonly problem: string };

function parse(endpoint: string): Parsed {
  if (!endpoint.includes('://')) {
    return HOSTNAME.test(endpoint)
      ? { host: endpoint.toLowerCase() }
      : { problem: 'is not a host name or URL' };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'must use https' };
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    return { problem: 'uses plain http, which is allowed for loopback addresses only' };
  }
  if (
    url.username ||
    url.password ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash
  ) {
    return { problem: 'must be scheme://host[:port] with no path, query or user' };
  }
  return { url };
}

/** Why `endpoint` cannot be used, or undefined when it can (config checks it at cold start). */
export function endpointProblem(endpoint: string): string | undefined {
  const parsed = parse(endpoint);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/**
 * Resolves an endpoint for a project.
 *
 * - A bare host (`cn-hangzhou.log.aliyuncs.com`) means `https://{project}.{host}`.
 * - A URL (`http://127.0.0.1:9000`) means: connect there, but still send
 *   `Host: {project}.{host:port}` so the server sees the project as SLS does. Plain `http` is
 *   allowed for loopback only, so signed traffic never crosses a network unencrypted.
 */
export function resolveEndpoint(endpoint: string, project: string): ResolvedEndpoint {
  const parsed = parse(endpoint);
  if ('problem' in parsed) {
    // A URL's user part could hold a password: never echo more than scheme, host and port.
    const shown = 'url' in parsed || !endpoint.includes('@') ? endpoint : '(redacted)';
    throw new SlsValidationError(`endpoint ${JSON.stringify(shown.slice(0, 100))} ${parsed.problem}`);
  }
  if ('host' in parsed) {
    const host = `${project}.${parsed.host}`;
    return { origin: `https://${host}`, host };
  }
  return { origin: parsed.url.origin, host: `${project}.${parsed.url.host}` };
}
