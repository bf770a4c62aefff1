/** Signatures per second: the full header build + HMAC of a checkpoint request. */
import { signedHeaders } from '../src/sls/signer.ts';
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
  const run = (n: number): number => {
    const started = performance.now();
    for (let i = 0; i < n; i++)
      signedHeaders(credentials, request, 'bench-project.example.com', date, 'bench');
    return performance.now() - started;
  };
  run(5_000); // warm-up
  const n = 100_000;
  const ms = run(n);
  printTable('Signing (signedHeaders: MD5 + canonical string + HMAC-SHA1)', [
    {
      requests: n,
      'wall ms': ms.toFixed(0),
      'signatures/s': Math.round((n / ms) * 1000),
      'µs each': ((ms * 1000) / n).toFixed(2),
    },
  ]);
}
