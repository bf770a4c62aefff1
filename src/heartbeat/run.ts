/**
 * The heartbeat use case: keeps logical SLS consumers alive for as long as one invocation may
 * run. A schedule fires at most once a minute while a consumer expires after the group's timeout,
 * so one invocation beats every `intervalMs` until its remaining time cannot fit another beat.
 */

import { forEachConcurrently } from '../concurrency.ts';
import { errorCode } from '../failure.ts';
import type { Logger } from '../log.ts';
import { DEFAULT_RETRY_POLICY } from '../sls/retry.ts';
import type { ConsumerGroupSettings } from '../sls/types.ts';
import { type BeatOutcome, beat, heldFromCheckpoints, summarizeError } from './beat.ts';
import {
  beatAllowance,
  inTurn,
  logRound,
  overCapacity,
  type Progress,
  roundBeats,
  summaryOf,
} from './round.ts';
import { type HeartbeatState, stateKey, type TargetState } from './state.ts';
import type { HeartbeatClient, HeartbeatReport, HeartbeatTarget, RoundBeat } from './types.ts';

/** Least time a beat is started with, when the caller does not say: one request's default timeout. */
export const DEFAULT_MIN_BEAT_MS = 5_000;
/** Share of the group timeout without a successful beat after which `heartbeat.at_risk` is logged. */
export const DEFAULT_AT_RISK_RATIO = 0.5;

export interface HeartbeatDeps {
  readonly client: HeartbeatClient;
  /** Epoch ms; the clock the client uses too, since deadlines are passed to it. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Time left in the invocation (`context.getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /** Time between two beats of one target. */
  readonly intervalMs: number;
  /** Time kept back from the remaining time, to return before the Lambda timeout. */
  readonly safetyMarginMs: number;
  /** Most targets beating at once. */
  readonly concurrency: number;
  readonly logger: Logger;
  /** Kept across warm invocations (see `createHeartbeatState`). */
  readonly state: HeartbeatState;
  /** The consumer group's timeout: how long SLS keeps a consumer that stopped beating. */
  readonly groupTimeoutMs: number;
  /** When set, a missing consumer group is created with these settings. */
  readonly createConsumerGroup?: ConsumerGroupSettings | undefined;
  /**
   * The time one request may take. A round is not started with less than this (plus the safety
   * margin) left, and within a round a beat is started only with twice the median recent beat
   * left, at most this (see `beatAllowance`). Default `DEFAULT_MIN_BEAT_MS`.
   */
  readonly minBeatMs?: number | undefined;
  /**
   * The client's least time for an attempt: a beat started with less left would fail unsent.
   * Default `DEFAULT_RETRY_POLICY.minAttemptMs`.
   */
  readonly minAttemptMs?: number | undefined;
  /** Default `DEFAULT_AT_RISK_RATIO`. */
  readonly atRiskRatio?: number | undefined;
  /** When aborted, no further round starts (middy aborts just before the Lambda timeout). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Told about every round's beats once the round ended (metrics); `at` is the round's start.
   * Targets that waited for a later round are not in it.
   */
  readonly onRound?: ((at: number, beats: readonly RoundBeat[]) => void) | undefined;
}

/**
 * Beats every target once per round, rounds on a fixed cadence (`start + k * intervalMs`, so
 * slow rounds do not push later ones back), until the remaining time cannot fit another beat
 * plus the safety margin. Every request gets a deadline: the next round's start, and never past
 * the invocation's end minus the margin, so a slow reply cannot overrun either.
 *
 * One scheduler drives all targets rather than one sleeping loop per target: every target shares
 * the cadence anyway, and a single sleep keeps the timing exact under an injected clock. Within a
 * round each target is served on its own, at most `concurrency` at a time, and one target's
 * failure never affects another's.
 *
 * When the targets do not fit one interval (targets x beat time / concurrency > interval), a beat
 * is not started without the time for it left in its round (twice the median recent beat, at
 * most `minBeatMs`): the target waits instead of failing, and every round serves first the
 * targets whose last beat started longest ago, across warm invocations too. So all take turns,
 * none starves; `heartbeat.over_capacity` says so once per invocation, with the numbers.
 *
 * Never throws for an SLS or credentials failure: failures are counted, logged and summarized.
 */
export async function runHeartbeats(
  targets: readonly HeartbeatTarget[],
  deps: HeartbeatDeps,
): Promise<HeartbeatReport> {
  const { now, intervalMs, safetyMarginMs } = deps;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  if (targets.length === 0) return { rounds: 0, targets: [] };
  const minBeatMs = deps.minBeatMs ?? DEFAULT_MIN_BEAT_MS;
  const minAttemptMs = deps.minAttemptMs ?? DEFAULT_RETRY_POLICY.minAttemptMs;
  const start = now();
  const progress: Progress[] = targets.map((target, index) => ({
    target,
    index,
    key: stateKey(target),
    logger: deps.logger.child({
      project: target.project,
      logstore: target.logstore,
      consumerGroup: target.consumerGroup,
      consumer: target.consumer,
    }),
    beats: 0,
    failures: 0,
    reRegistrations: 0,
    lastError: undefined,
    lastStartedAt: deps.state.get(stateKey(target))?.lastStartedAt,
    round: undefined,
  }));

  let rounds = 0;
  let warned = false;
  /** How long the last `concurrency` beats took, newest last. */
  const recentBeatsMs: number[] = [];
  for (let slot = 0; ; ) {
    if (isAborted(deps.signal)) break;
    const slotAt = start + slot * intervalMs;
    const untilSlot = Math.max(0, slotAt - now());
    // Returning now rather than sleeping towards a round that could not run saves billed time.
    if (deps.remainingMs() - untilSlot < minBeatMs + safetyMarginMs) break;
    if (untilSlot > 0) await deps.sleep(untilSlot);
    if (isAborted(deps.signal)) break;

    const roundStart = now();
    const mustEndBy = roundStart + deps.remainingMs() - safetyMarginMs;
    const deadline = Math.min(Math.max(slotAt + intervalMs, roundStart + minBeatMs), mustEndBy);
    for (const p of progress) p.round = undefined;
    let started = 0;
    await forEachConcurrently(inTurn(progress), deps.concurrency, async (p) => {
      // The first batch starts with the round (it began because one beat fits); a later one only
      // with a beat's time left, else the target waits and goes first next round.
      const allowance = beatAllowance(recentBeatsMs, minBeatMs, minAttemptMs);
      if (started >= deps.concurrency && deadline - now() < allowance) return;
      started++;
      await beatTarget(p, deadline, start, deps);
      recentBeatsMs.push(p.round?.durationMs ?? minBeatMs);
      if (recentBeatsMs.length > deps.concurrency) recentBeatsMs.shift();
    });
    rounds++;
    logRound(deps.logger, progress, rounds, slotAt, roundStart, now());
    deps.onRound?.(roundStart, roundBeats(progress));
    const shortfall = warned ? undefined : overCapacity(progress, deps.concurrency, intervalMs);
    if (shortfall !== undefined) {
      warned = true;
      deps.logger.warn('heartbeat.over_capacity', shortfall);
    }
    // The next slot on the grid; if this round overran it, the latest missed slot, at once.
    slot = Math.max(slot + 1, Math.floor((now() - start) / intervalMs));
  }

  if (rounds === 0) {
    deps.logger.warn('heartbeat.no_time', {
      remainingMs: deps.remainingMs(),
      neededMs: minBeatMs + safetyMarginMs,
      targets: targets.length,
    });
  }
  return {
    rounds,
    targets: progress.map((p) => summaryOf(p, deps.state.get(p.key))),
  };
}

async function beatTarget(p: Progress, deadline: number, start: number, deps: HeartbeatDeps): Promise<void> {
  const { target, logger } = p;
  const startedAt = deps.now();
  p.lastStartedAt = startedAt;
  let state = update(deps.state, p.key, { lastStartedAt: startedAt });
  if (state.shards === undefined) {
    // Cold start: report what SLS thinks we hold, so the shards are not handed to someone else.
    // Half the round at most, so the heartbeat itself keeps time to run.
    const lookupDeadline = deps.now() + (deadline - deps.now()) / 2;
    try {
      const shards = await heldFromCheckpoints(deps.client, target, lookupDeadline);
      state = update(deps.state, p.key, { shards });
      logger.info('heartbeat.shards_recovered', { shards });
    } catch (error) {
      // Without shards the lookup is tried again next round; this beat registers with [] meanwhile.
      logger.warn('heartbeat.checkpoints_unavailable', { error });
    }
  }
  const held = state.shards ?? [];

  let outcome: BeatOutcome;
  try {
    outcome = await beat(deps.client, target, held, { deadline, createGroup: deps.createConsumerGroup });
  } catch (error) {
    // `beat` does not throw; if it ever does, it is one more failed beat, not a lost invocation.
    outcome = { ok: false, error, reRegistered: false };
  }
  const at = deps.now();
  const durationMs = at - startedAt;
  // Since the previous successful beat, whatever this one's outcome (for metrics).
  const gapMs = state.lastSuccessAt === undefined ? undefined : at - state.lastSuccessAt;

  if (outcome.group === 'created') logger.info('heartbeat.group_created', {});
  else if (outcome.group === 'existed') logger.info('heartbeat.group_already_existed', {});

  if (outcome.ok) {
    p.beats++;
    if (outcome.reRegistered) {
      p.reRegistrations++;
      logger.warn('heartbeat.re_registered', {
        previousShards: held,
        shards: outcome.shards,
        sinceLastSuccessMs: gapMs,
      });
    }
    const { added, removed } = difference(held, outcome.shards);
    if (added.length > 0 || removed.length > 0) {
      logger.info('heartbeat.shards_changed', { added, removed, shards: outcome.shards });
    }
    update(deps.state, p.key, { shards: outcome.shards, lastSuccessAt: at });
    p.round = { ok: true, shards: outcome.shards, durationMs, reRegistered: outcome.reRegistered, gapMs };
    return;
  }

  // Keep `held` as it is: the next beat reports it again.
  p.failures++;
  p.lastError = summarizeError(outcome.error);
  p.round = { ok: false, shards: held, code: p.lastError.code, durationMs, gapMs };
  logger.warn('heartbeat.beat_failed', { shards: held, error: outcome.error });
  const sinceLastSuccessMs = at - (state.lastSuccessAt ?? start);
  if (sinceLastSuccessMs >= (deps.atRiskRatio ?? DEFAULT_AT_RISK_RATIO) * deps.groupTimeoutMs) {
    logger.warn('heartbeat.at_risk', {
      sinceLastSuccessMs,
      groupTimeoutMs: deps.groupTimeoutMs,
      shards: held,
      code: errorCode(outcome.error),
    });
  }
}

/** Merges `changes` into a target's state and returns the result. */
function update(state: HeartbeatState, key: string, changes: TargetState): TargetState {
  const next = { ...state.get(key), ...changes };
  state.set(key, next);
  return next;
}

const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

function difference(before: readonly number[], after: readonly number[]) {
  const was = new Set(before);
  const is = new Set(after);
  return {
    added: after.filter((s) => !was.has(s)),
    removed: before.filter((s) => !is.has(s)),
  };
}
