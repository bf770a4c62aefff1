/**
 * Preloaded (`--import`) into the peer's process: the official SDK connects to
 * `{project}.{endpoint}`, so names under `sls-emulator.test` resolve to 127.0.0.1.
 */
import dns from 'node:dns';
import { loopbackLookup } from '../../test/conformance/loopback.ts';

dns.lookup = loopbackLookup(dns.lookup);
