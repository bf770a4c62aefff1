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

/** A last label the URL parser reads as a number (`10.0.0.1`, `log.0x1f`): an IPv4 address. */
const NUMERIC_LABEL = /(?:^|\.)(?:\d+|0x[0-9a-f]*)(?::\d+)?$/i;
const PORT_PROBLEM = 'port must be between 1 and 65535';

function parse(endpoint: string): Parsed {
  // The URL parser would drop some of these silently; none belongs in an endpoint.
  if (/[^\x21-\x7e]/.test(endpoint)) return { problem: 'must be printable ASCII with no spaces' };
  if (!endpoint.includes('://')) return parseHost(endpoint);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (url.port === '0') return { problem: PORT_PROBLEM };
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

/**
 * A bare host becomes `https://{project}.{host}`: it must be a DNS name (an IP address cannot
 * take a project label in front) with a port, if any, in range. The origin is built as a request
 * would build it, so what passes here cannot fail later.
 */
function parseHost(endpoint: string): Parsed {
  if (!HOSTNAME.test(endpoint)) return { problem: 'is not a host name or URL' };
  const port = endpoint.split(':')[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return { problem: PORT_PROBLEM };
  if (NUMERIC_LABEL.test(endpoint)) {
    return {
      problem:
        'is an IP address: a bare endpoint is reached as {project}.{endpoint}, so give an address as a URL (https://ADDRESS[:port])',
    };
  }
  try {
    new URL(`https://project.${endpoint}`);
  } catch {
    return { problem: 'is not a host name or URL' };
  }
  return { host: endpoint.toLowerCase() };
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
