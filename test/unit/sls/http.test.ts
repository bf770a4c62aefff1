/** How the transport classifies what undici and Node throw (the wire itself: integration tests). */
import { validateHeaderValue } from 'node:http';
import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/log.ts';
import { toTransportError } from '../../../src/sls/http.ts';

const request = { method: 'POST' as const, timeoutMs: 1_000 };

/** What Node itself throws for these inputs: real errors, not hand-made look-alikes. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('toTransportError', () => {
  it.each([
    ['a header value with a line break', () => validateHeaderValue('x-acs-security-token', 'TOKEN-7f3a\n')],
    [
      'a header value Node quotes in its message',
      () => validateHeaderValue('x-acs-security-token', undefined as unknown as string),
    ],
    ['an invalid URL', () => new URL('http://127.0.0.1:99999')],
  ])('%s: InvalidRequest, not retryable, the value kept out of message and cause', (_name, fn) => {
    const cause = thrownBy(fn);
    const error = toTransportError(cause, request);
    expect(error).toMatchObject({ code: 'InvalidRequest', retryable: false, name: 'SlsRequestError' });
    const logged = JSON.stringify(redact(error));
    expect(logged).toContain((cause as { code: string }).code);
    expect(logged).not.toContain('TOKEN-7f3a');
    expect(logged).not.toContain('"undefined"');
  });

  it('keeps undici’s own argument message, which names the header and not its value', () => {
    const cause = Object.assign(new Error('invalid authorization header'), { code: 'UND_ERR_INVALID_ARG' });
    expect(toTransportError(cause, request).message).toBe(
      'the request could not be built (UND_ERR_INVALID_ARG: invalid authorization header)',
    );
  });

  it.each([
    ['ECONNRESET', 'NetworkError', true],
    ['UND_ERR_SOCKET', 'NetworkError', true],
    ['UND_ERR_HEADERS_TIMEOUT', 'Timeout', true],
  ])('%s stays %s, retryable', (code, expected, retryable) => {
    const error = toTransportError(Object.assign(new Error(code), { code }), request);
    expect(error).toMatchObject({ code: expected, retryable });
  });
});
