/**
 * The official clients connect to `{project}.{endpoint}`. For the conformance tests, names under
 * `sls-emulator.test` (a reserved TLD that never resolves for real) go to 127.0.0.1; a test file
 * installs this in place of `dns.lookup` and puts the original back when it is done.
 */
import type dns from 'node:dns';
import type { LookupAddress } from 'node:dns';

export const EMULATOR_DOMAIN = 'sls-emulator.test';

type Callback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `dns.lookup` that answers loopback for `*.sls-emulator.test` and asks `original` otherwise. */
export function loopbackLookup(original: typeof dns.lookup): typeof dns.lookup {
  const lookup = (hostname: string, ...rest: unknown[]): void => {
    const callback = rest.at(-1) as Callback;
    if (!hostname.endsWith(`.${EMULATOR_DOMAIN}`)) {
      (original as (...args: unknown[]) => void)(hostname, ...rest);
      return;
    }
    const options = rest.length > 1 ? rest[0] : undefined;
    const all =
      typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    process.nextTick(() =>
      all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
    );
  };
  return lookup as typeof dns.lookup;
}
