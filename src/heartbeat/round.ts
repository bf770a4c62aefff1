/**
 * The bookkeeping of beat rounds: each target's progress in one invocation, the order targets
 * take their turns in, and what a round logs.
 */
import type { Logger } from '../log.ts';
import { groupName } from '../sls/names.ts';
import type { TargetState } from './state.ts';
import type { ErrorSummary, HeartbeatTarget, RoundBeat, TargetSummary } from './types.ts';

/** A target's beat in the current round. */
export interface RoundResult {
  readonly ok: boolean;
  readonly shards: readonly number[];
  readonly code?: string | undefined;
  /** Time the beat took, the cold-start checkpoint read included. */
  readonly durationMs: number;
  /** The consumer had expired and was registered again by this beat. */
  readonly reRegistered?: boolean | undefined;
  /** Since the target's previous successful beat, taken at this beat; undefined when unknown. */
  readonly gapMs?: number | undefined;
}

/** A target's progress during one invocation. */
export interface Progress {
  readonly target: HeartbeatTarget;
  /** Position in the configuration: the tie-breaker between targets that waited equally long. */
  readonly index: number;
  readonly key: string;
  readonly logger: Logger;
  beats: number;
  failures: number;
  reRegistrations: number;
  lastError: ErrorSummary | undefined;
  /** When its last beat started, in this invocation or a warm earlier one. */
  lastStartedAt: number | undefined;
  /** This round's beat; undefined while the target waits for a later round. */
  round: RoundResult | undefined;
}

/**
 * The order of a round: the target whose last beat started longest ago first (never started
 * before all), configuration order between equals. A round that runs out of time before every
 * target started leaves the ones that waited at the head of the next round, so all take turns.
 */
export function inTurn(progress: readonly Progress[]): Progress[] {
  const since = (p: Progress) => p.lastStartedAt ?? Number.NEGATIVE_INFINITY;
  return [...progress].sort((a, b) => (since(a) === since(b) ? a.index - b.index : since(a) - since(b)));
}

/**
 * The least time a round must have left to start one more beat: twice the median of the recent
 * beats (the last `concurrency` to end: a slow spell counts once half of them are slow, a single
 * slow beat does not stop a round), but not less than `floorMs` (the client starts no attempt
 * with less time left) and never more than `minBeatMs` (one request's time limit), which also
 * applies before any beat has ended. Reserving a whole request timeout for a beat that takes a
 * round trip left the end of every round unused; a round cut short by the invocation's end (the
 * last one) then served little more than its first batch, and the other targets waited into the
 * next invocation. A beat started too late only fails at the deadline, as a waiting one would
 * have gone without.
 */
export function beatAllowance(recentBeatsMs: readonly number[], minBeatMs: number, floorMs: number): number {
  if (recentBeatsMs.length === 0) return minBeatMs;
  const sorted = [...recentBeatsMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? minBeatMs;
  return Math.min(minBeatMs, Math.max(floorMs, 2 * median));
}

/** One line per round: lateness, duration, and per target ok, failed (with its code) or waiting. */
export function logRound(
  logger: Logger,
  progress: readonly Progress[],
  round: number,
  slotAt: number,
  startedAt: number,
  endedAt: number,
): void {
  const failed = progress.filter((p) => p.round?.ok === false).length;
  const waiting = progress.filter((p) => p.round === undefined).length;
  const fields = {
    round,
    lateMs: startedAt - slotAt,
    durationMs: endedAt - startedAt,
    ok: progress.length - failed - waiting,
    failed,
    ...(waiting === 0 ? {} : { waiting }),
    targets: progress.map((p) => ({
      group: groupName(p.target),
      consumer: p.target.consumer,
      ...(p.round === undefined
        ? { waiting: true }
        : {
            ok: p.round.ok,
            shards: p.round.shards,
            ...(p.round.code === undefined ? {} : { code: p.round.code }),
          }),
    })),
  };
  if (failed > 0) logger.warn('heartbeat.round', fields);
  else logger.info('heartbeat.round', fields);
}

/**
 * The numbers behind `heartbeat.over_capacity`, or undefined when the round's targets fit its
 * interval: every target started, and targets x mean beat time / concurrency <= interval.
 */
export function overCapacity(
  progress: readonly Progress[],
  concurrency: number,
  intervalMs: number,
): Record<string, number> | undefined {
  const durations = progress.flatMap((p) => (p.round === undefined ? [] : [p.round.durationMs]));
  const waiting = progress.length - durations.length;
  const beatMs = durations.length === 0 ? 0 : durations.reduce((a, b) => a + b, 0) / durations.length;
  const neededMs = (progress.length * beatMs) / concurrency;
  if (waiting === 0 && neededMs <= intervalMs) return undefined;
  return {
    targets: progress.length,
    concurrency,
    intervalMs,
    beatMs: Math.round(beatMs),
    neededMs: Math.round(neededMs),
    started: durations.length,
    waiting,
  };
}

/** What the invocation did for one target, as returned and logged. */
export function summaryOf(p: Progress, state: TargetState | undefined): TargetSummary {
  const { target } = p;
  return {
    project: target.project,
    logstore: target.logstore,
    consumerGroup: target.consumerGroup,
    consumer: target.consumer,
    shards: state?.shards ?? [],
    beats: p.beats,
    failures: p.failures,
    reRegistrations: p.reRegistrations,
    ...(p.lastError === undefined ? {} : { lastError: p.lastError }),
  };
}

/** The round's beats as `onRound` reports them; targets that waited are left out. */
export function roundBeats(progress: readonly Progress[]): RoundBeat[] {
  return progress.flatMap(({ target, round }) =>
    round === undefined
      ? []
      : [
          {
            target,
            ok: round.ok,
            reRegistered: round.reRegistered === true,
            shards: round.shards.length,
            sinceLastSuccessMs: round.gapMs,
          },
        ],
  );
}
