/**
 * src/sls/undici.ts loads undici's Agent and `request` from their own files, not from the
 * package's entry point (which loads all of undici). Those paths are not a supported entry
 * point: this fails when an undici upgrade moves or changes them.
 */
import { createRequire } from 'node:module';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/sls/undici.ts';

const require = createRequire(import.meta.url);

describe('undici by its own files (src/sls/undici.ts)', () => {
  it('loads the very Agent and request function that the entry point exports', () => {
    expect(require('undici/lib/dispatcher/agent.js')).toBe(undici.Agent);
    // The entry point puts the API functions on every dispatcher: Object.assign(Dispatcher.prototype, api).
    expect(require('undici/lib/api/api-request.js')).toBe(undici.Dispatcher.prototype.request);
  });

  it('gives an Agent that is undici.Agent with its promise request', () => {
    const agent = new Agent();
    expect(agent).toBeInstanceOf(undici.Agent);
    expect(agent.request).toBe(undici.Dispatcher.prototype.request);
    return agent.close();
  });

  it('needs nothing else from the entry point: the package has no exports map that would refuse the paths', () => {
    const manifest = require('undici/package.json') as { exports?: unknown };
    expect(manifest.exports).toBeUndefined();
  });
});
