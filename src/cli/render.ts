/**
 * What the CLI prints: readable tables for people (cli-table3, colour by picocolors when the
 * output is a terminal), or one JSON document for scripts (`--json`).
 */
import Table from 'cli-table3';
import type { CheckpointSummary } from '../checkpoint/report.ts';
import { groupName } from '../sls/names.ts';
import type { GroupStatus, ShardStatus } from '../status/status.ts';

/** picocolors' formatters, on or off. */
export type Colors = ReturnType<typeof import('picocolors')['createColors']>;

/** Unix seconds as an ISO time in UTC, '-' when there is none. */
export const isoTime = (seconds: number | undefined): string =>
  seconds === undefined ? '-' : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** Seconds as `3 s`, `4 min 5 s`, `2 h 3 min`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

function lagCell(shard: ShardStatus, c: Colors): string {
  if (shard.lagSeconds === undefined) return shard.checkpoint === undefined ? c.dim('no checkpoint') : '-';
  return shard.lagSeconds === 0 ? c.green('0 s') : c.yellow(duration(shard.lagSeconds));
}

/** The status as people read it: the group, its consumers, then a row per shard. */
export function statusText(status: GroupStatus, c: Colors): string {
  const group = groupName(status);
  const consumers =
    status.consumers.length === 0
      ? c.dim('none holds a shard')
      : status.consumers.map((x) => `${x.consumer} (${x.shards.join(', ')})`).join(', ');
  const lag = status.lagSeconds === undefined ? '-' : duration(status.lagSeconds);
  const table = new Table({
    head: ['Shard', 'Status', 'Checkpoint', 'Checkpoint time', 'Consumer', 'Updated', 'End time', 'Lag'].map(
      (h) => c.bold(h),
    ),
    style: { head: [], border: [] },
  });
  for (const s of status.shards) {
    table.push([
      s.shard,
      s.status === 'readwrite' ? s.status : c.yellow(s.status),
      s.checkpoint ?? c.dim('-'),
      isoTime(s.checkpointTime),
      s.consumer ?? c.dim('-'),
      isoTime(s.updateTime),
      isoTime(s.endTime),
      lagCell(s, c),
    ]);
  }
  const lines = [
    `${c.bold('Consumer group')} ${group}  (timeout ${status.timeoutSeconds} s, in order: ${status.inOrder ? 'yes' : 'no'})`,
    `${c.bold('Measured')}       ${isoTime(status.measuredAt)}    ${c.bold('Lag')} ${lag}`,
    `${c.bold('Consumers')}      ${consumers}`,
    table.toString(),
  ];
  for (const s of status.shards) {
    if (s.error !== undefined) lines.push(c.red(`shard ${s.shard}: ${s.error.code}: ${s.error.message}`));
  }
  return lines.join('\n');
}

/** What a seek or set did, as people read it. */
export function resultText(
  what: string,
  summary: CheckpointSummary,
  failures: readonly string[],
  c: Colors,
): string {
  if (failures.length === 0) {
    return c.green(`${what}: done (${summary.updates} shard${summary.updates === 1 ? '' : 's'} written)`);
  }
  return [c.red(`${what}: did not land`), ...failures.map((f) => c.red(`  ${f}`))].join('\n');
}

/** JSON for scripts: stable field names, times in unix seconds, undefined fields left out. */
export const json = (value: unknown): string => JSON.stringify(value, null, 2);
