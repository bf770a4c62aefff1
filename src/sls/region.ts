/**
 * The SLS region a v4 signature is scoped to, read from the endpoint by the official SDKs' rule
 * (Go `util.ParseRegion`, Java `Utils.parseRegion`, `@alicloud/gateway-sls` `getRegion`):
 * `{name}.log.aliyuncs.com` or `{name}.sls.aliyuncs.com`, minus a `-intranet`, `-share` or `-vpc`
 * suffix. So `cn-hangzhou-intranet.log.aliyuncs.com` is `cn-hangzhou`, and
 * `cn-shanghai-corp.sls.aliyuncs.com` is `cn-shanghai-corp`. Any other host (an acceleration
 * endpoint, a PrivateLink or custom domain, the local emulator) names no region.
 */
import { SlsValidationError } from './errors.ts';
import { SIGN_V1, type Signing, type SigningOptions } from './signer.ts';

const SLS_HOST = /^([a-z0-9-]+)\.(?:log|sls)\.aliyuncs\.com$/;
const NETWORK_SUFFIXES = ['-intranet', '-share', '-vpc'];
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The host name of a bare `host[:port]` or a URL, lower-cased, or '' if it has none. */
function hostName(endpoint: string): string {
  try {
    return new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/** The region an endpoint names, or undefined when it names none. */
export function regionFromEndpoint(endpoint: string): string | undefined {
  const name = SLS_HOST.exec(hostName(endpoint))?.[1];
  if (name === undefined) return undefined;
  const suffix = NETWORK_SUFFIXES.find((s) => name.endsWith(s));
  const region = suffix === undefined ? name : name.slice(0, -suffix.length);
  return regionProblem(region) === undefined ? region : undefined;
}

/** Why `region` cannot be a region id, or undefined when it can (`cn-hangzhou`, `ap-southeast-1`). */
export function regionProblem(region: string): string | undefined {
  if (region.length > 64) return 'must be at most 64 characters';
  return REGION.test(region) ? undefined : 'must be a region id such as cn-hangzhou (a-z, 0-9 and inner -)';
}

/**
 * The signing to use for requests to `endpoint`: v1, or v4 scoped to the given region or else
 * to the region the endpoint names. Throws when v4 has no region to use.
 */
export function signingFor(options: SigningOptions, endpoint: string): Signing {
  if (options.version === 'v1') return SIGN_V1;
  const scoped = options.region ?? regionFromEndpoint(endpoint);
  if (scoped === undefined) {
    throw new SlsValidationError(
      `v4 signing needs a region: endpoint ${JSON.stringify(hostName(endpoint))} names none (set the region explicitly)`,
    );
  }
  return { version: 'v4', region: scoped };
}
