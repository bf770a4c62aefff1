/**
 * Heartbeat at a distance: how many targets one heartbeat function keeps alive with no consumer
 * ever past half its group timeout between two acknowledged beats, at the deployed timing
 * (schedule every 60 s, Lambda timeout 50 s, HEARTBEAT_INTERVAL_SECONDS 20, request timeout 5 s,
 * safety margin 3 s), by HEARTBEAT_CONCURRENCY: searched on a model (`heartbeat-model.ts`), one
 * point cross-checked against the emulator (`heartbeat-emulator.ts`); the output says which.
 */
import { DEFAULT_HEARTBEAT_CONCURRENCY } from '../../src/config.ts';
import { printTable } from '../table.ts';
import { EMULATOR_SCALE, emulatorRun } from './heartbeat-emulator.ts';
import { MAX_TARGETS, modelRun, mostTargets } from './heartbeat-model.ts';
import { TIMING } from './heartbeat-schedule.ts';
import { type Distance, describeDistance } from './profile.ts';

/** The group timeouts compared: the default, and the README's recommendation. */
const GROUP_TIMEOUTS_MS = [60_000, 120_000];
const CONCURRENCY = [1, 2, 4, 8, 16, 32, 64];

export async function benchHeartbeatAtDistance(distance: Distance): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const concurrency of CONCURRENCY) {
    const row: Record<string, unknown> = { HEARTBEAT_CONCURRENCY: concurrency };
    for (const groupTimeoutMs of GROUP_TIMEOUTS_MS) {
      const most = await mostTargets(distance, concurrency, groupTimeoutMs);
      row[`most targets, group timeout ${groupTimeoutMs / 1000} s`] =
        most < MAX_TARGETS ? most : `>= ${most}`;
    }
    const atHundred = await modelRun(distance, 100, concurrency, TIMING.groupTimeoutMs);
    row['longest gap at 100 targets, s'] = (atHundred.longestGapMs / 1000).toFixed(1);
    row['connections opened at 100'] = atHundred.connections;
    rows.push(row);
  }
  printTable(
    `Heartbeat at ${describeDistance(distance)}, model (simulated time): the most targets (of up to ${MAX_TARGETS}) ` +
      `one function keeps with no consumer past half its group timeout between acknowledged beats; ` +
      `interval ${TIMING.intervalMs / 1000} s, Lambda timeout ${TIMING.lambdaTimeoutMs / 1000} s, ` +
      `every ${TIMING.periodMs / 1000} s, five invocations (cold, warm, warm, cold, warm)`,
    rows,
  );
  const half = TIMING.groupTimeoutMs / 2;
  const concurrency = DEFAULT_HEARTBEAT_CONCURRENCY;
  const check = await emulatorRun(distance, 100, concurrency);
  printTable(
    `Heartbeat cross-check: the real use case, client and undici against the real emulator, ` +
      `every time scaled by ${EMULATOR_SCALE} (gaps shown at full scale), group timeout ${TIMING.groupTimeoutMs / 1000} s`,
    [
      {
        targets: 100,
        HEARTBEAT_CONCURRENCY: concurrency,
        'longest gap, s': (check.longestGapMs / 1000).toFixed(1),
        [`within ${half / 1000} s`]: check.longestGapMs <= half ? 'yes' : 'no',
        're-registrations (expired)': check.expired,
        'CPU µs per beat': check.cpuUsPerBeat.toFixed(0),
      },
    ],
  );
}
