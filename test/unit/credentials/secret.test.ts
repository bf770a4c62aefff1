import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CredentialsError } from '../../../src/credentials/errors.ts';
import { maskAccessKeyId, parseSecret, sameCredentials } from '../../../src/credentials/secret.ts';

const ID = 'prod/sls-consumer';

function parseError(secretString: string): CredentialsError {
  try {
    parseSecret(ID, secretString);
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    return error as CredentialsError;
  }
  throw new Error('expected parseSecret to throw');
}

describe('parseSecret', () => {
  it('returns the credentials, with or without a token, ignoring other keys', () => {
    expect(parseSecret(ID, '{"accessKeyId":"id","accessKeySecret":"s"}')).toStrictEqual({
      accessKeyId: 'id',
      accessKeySecret: 's',
    });
    expect(
      parseSecret(ID, '{"accessKeyId":"id","accessKeySecret":"s","securityToken":"t","note":"x","n":1}'),
    ).toStrictEqual({ accessKeyId: 'id', accessKeySecret: 's', securityToken: 't' });
  });

  it('accepts the characters AccessKeys, STS ids and tokens are made of', () => {
    const token = 'CAIS+gF1q6Ft5B2yfSjIr5bsLt/Hg5ZX1KWNaUjlrkFmaOpZuqjdljz2IHhMeXNpAO8Xs/42nGpW7/4clqd0=';
    expect(
      parseSecret(
        ID,
        JSON.stringify({
          accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Ex',
          accessKeySecret: 'AbC9_-.~x',
          securityToken: token,
        }),
      ),
    ).toStrictEqual({
      accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Ex',
      accessKeySecret: 'AbC9_-.~x',
      securityToken: token,
    });
  });

  // Pasted values often end with a line break. accessKeyId and securityToken go into HTTP headers,
  // which cannot carry one; a secret with one signs wrongly. Refused when read, never trimmed.
  it.each([
    ['accessKeyId', '\n', 'ends with a line break or space'],
    ['accessKeyId', ' ', 'ends with a line break or space'],
    ['securityToken', '\r\n', 'ends with a line break or space'],
    ['accessKeySecret', '\n', 'ends with a line break or space'],
  ])('refuses %s ending with %j, naming the field and not the value', (field, tail, problem) => {
    const value = {
      accessKeyId: 'LTAI5tKEYMARKER',
      accessKeySecret: 'SECRETMARKER',
      securityToken: 'TOKENMARKER',
    };
    const error = parseError(
      JSON.stringify({ ...value, [field]: `${value[field as keyof typeof value]}${tail}` }),
    );
    expect(error).toMatchObject({ code: 'SecretInvalid', retryable: false, secretId: ID });
    expect(error.message).toBe(
      `secret "${ID}": field ${field} ${problem} (only visible ASCII characters are allowed)`,
    );
    expect(JSON.stringify(error)).not.toMatch(/MARKER/);
  });

  it.each([
    ['a space inside', 'LTAI5t KEY', 'contains a space or control character'],
    ['a tab', 'LTAI5t\tKEY', 'contains a space or control character'],
    ['a NUL byte', 'LTAI5t\u0000KEY', 'contains a space or control character'],
    ['a leading line break', '\nLTAI5tKEY', 'starts with a line break or space'],
    ['a non-ASCII letter', 'LTAI5tKÉY', 'contains a non-ASCII character'],
    ['a zero-width space', 'LTAI5tKEY\u200b', 'contains a non-ASCII character'],
  ])('refuses an accessKeyId with %s', (_name, id, problem) => {
    const error = parseError(JSON.stringify({ accessKeyId: id, accessKeySecret: 's' }));
    expect(error.message).toBe(
      `secret "${ID}": field accessKeyId ${problem} (only visible ASCII characters are allowed)`,
    );
  });

  it.each([
    ['not json', 'SecretNotJson', /^secret "prod\/sls-consumer" is not JSON/],
    ['', 'SecretNotJson', /is not JSON/],
    ['{"accessKeyId":"id",', 'SecretNotJson', /is not JSON/],
    ['null', 'SecretInvalid', /must be a JSON object, got null/],
    ['[1]', 'SecretInvalid', /must be a JSON object, got an array/],
    ['"text"', 'SecretInvalid', /must be a JSON object, got a string/],
    ['42', 'SecretInvalid', /must be a JSON object, got a number/],
    [
      '{"accessKeyId":"id"}',
      'SecretInvalid',
      /^secret "prod\/sls-consumer": field accessKeySecret is missing$/,
    ],
    ['{"accessKeySecret":"s"}', 'SecretInvalid', /field accessKeyId is missing$/],
    [
      '{"accessKeyId":"","accessKeySecret":"s"}',
      'SecretInvalid',
      /field accessKeyId must be a non-empty string$/,
    ],
    [
      '{"accessKeyId":7,"accessKeySecret":"s"}',
      'SecretInvalid',
      /field accessKeyId must be a non-empty string$/,
    ],
    [
      '{"accessKeyId":null,"accessKeySecret":"s"}',
      'SecretInvalid',
      /field accessKeyId must be a non-empty string$/,
    ],
    [
      '{"accessKeyId":"id","accessKeySecret":"s","securityToken":1}',
      'SecretInvalid',
      /field securityToken must be a string$/,
    ],
    ['{}', 'SecretInvalid', /field accessKeyId is missing; field accessKeySecret is missing$/],
  ])('rejects %j with %s', (input, code, message) => {
    const error = parseError(input);
    expect(error.code).toBe(code);
    expect(error.secretId).toBe(ID);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(message);
    expect(error.cause).toBeUndefined();
  });

  it('never quotes the input in an error (JSON.parse would)', () => {
    const marker = 'MARKER-5f0c';
    const inputs = [
      `${marker}-not-json`,
      `{"accessKeySecret": ${marker}}`,
      `{"accessKeyId":"${marker}","accessKeySecret":"${marker}",}`,
      `{"accessKeyId":"${marker}"}`,
      `{"accessKeyId":"${marker}","accessKeySecret":""}`,
      `{"accessKeyId":"${marker}","accessKeySecret":"${marker}","securityToken":["${marker}"]}`,
      `["${marker}"]`,
      `"${marker}"`,
    ];
    for (const input of inputs) {
      const error = parseError(input);
      expect(error.message).not.toContain(marker);
      expect(JSON.stringify(error)).not.toContain(marker);
      expect(String(error)).not.toContain(marker);
      expect(error.stack ?? '').not.toContain(marker);
    }
  });

  it('property: no value of a rejected secret ever appears in the error', () => {
    const marked = fc.string().map((s) => `MARK${s}`);
    const value = fc.oneof(marked, fc.constant(''), fc.integer(), fc.constant(null), fc.array(marked));
    const object = fc.record(
      { accessKeyId: value, accessKeySecret: value, securityToken: value, other: marked },
      { requiredKeys: [] },
    );
    const input = fc.oneof(
      object.map((o) => JSON.stringify(o)),
      object.map((o) => `${JSON.stringify(o)}MARK`), // trailing garbage
      object.map((o) => JSON.stringify(o).slice(0, -1)), // truncated
      marked,
    );
    fc.assert(
      fc.property(input, (secretString) => {
        let error: unknown;
        try {
          parseSecret(ID, secretString);
          return; // a valid secret: nothing to check
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(CredentialsError);
        const e = error as CredentialsError;
        expect(e.message).not.toContain('MARK');
        expect(JSON.stringify(e)).not.toContain('MARK');
      }),
      { numRuns: 500 },
    );
  });
});

describe('sameCredentials', () => {
  const base = { accessKeyId: 'a', accessKeySecret: 'b' };
  it('compares key id, secret and token; an empty token equals none', () => {
    expect(sameCredentials(base, { ...base })).toBe(true);
    expect(sameCredentials(base, { ...base, securityToken: '' })).toBe(true);
    expect(sameCredentials(base, { ...base, securityToken: undefined })).toBe(true);
    expect(sameCredentials(base, { ...base, securityToken: 't' })).toBe(false);
    expect(sameCredentials(base, { ...base, accessKeyId: 'x' })).toBe(false);
    expect(sameCredentials(base, { ...base, accessKeySecret: 'x' })).toBe(false);
  });
});

describe('maskAccessKeyId', () => {
  it('keeps only the last 4 characters, and nothing of a short id', () => {
    expect(maskAccessKeyId('LTAI5tAbCdEfGhIjKlMn1234')).toBe('****1234');
    expect(maskAccessKeyId('short-id')).toBe('****');
  });
});
