/** Signatures per second: the full header build + HMAC of a checkpoint request. */
import { type Signing, signedHeaders } from '../src/sls/signer.ts';
import { printTable } from './table.ts';

export async function benchSigning(): Promise<void> {
  const credentials = { accessKeyId: 'LTAIbenchkey', accessKeySecret: 'bench-secret' };
  const body = new TextEncoder().encode('{"shard":12,"checkpoint":"MTUyNDE1NTM3OTM3MzkwODQ5Ng=="}');
  const request = {
    method: 'POST' as const,
    path: '/logstores/bench-logstore/consumergroups/bench-group',
    query: { type: 'checkpoint', forceSuccess: 'true' },
    body,
  };
  const date = new Date();
  const run = (n: number, signing: Signing): number => {
    const started = performance.now();
    for (let i = 0; i < n; i++)
      signedHeaders(credentials, request, 'bench-project.example.com', date, 'bench', signing);
    return performance.now() - started;
  };
  const n = 30_000;
  const rows = (
    [
      ['v1 (MD5 + string + HMAC-SHA1)', { version: 'v1' }],
      ['v4 (2 SHA-256 + HMAC-SHA256, day key cached)', { version: 'v4', region: 'cn-hangzhou' }],
    ] as const
  ).map(([scheme, signing]) => {
    run(3_000, signing); // warm-up
    const ms = run(n, signing);
    return {
      scheme,
      requests: n,
      'wall ms': ms.toFixed(0),
      'signatures/s': Math.round((n / ms) * 1000),
      'µs each': ((ms * 1000) / n).toFixed(2),
    };
  });
  printTable('Signing (signedHeaders of a checkpoint request)', rows);
}
