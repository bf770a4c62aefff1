import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLatencyPlan, latencyProblem } from '../../../src/emulator/latency.ts';

describe('the emulator latency plan', () => {
  it('splits the round trip in two halves, and adds the setup once per connection', () => {
    const plan = createLatencyPlan({ rttMs: 250, setupMs: 500 });
    const first = {};
    const second = {};
    expect(plan.inboundMs(first)).toBe(625);
    expect(plan.outboundMs()).toBe(125);
    expect(plan.inboundMs(first)).toBe(125);
    expect(plan.inboundMs(second)).toBe(625);
    expect(plan.inboundMs(second)).toBe(125);
  });

  it('keeps each half within ± the jitter, never below zero', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (rtt, share, r) => {
          const jitter = (rtt / 2) * share;
          const plan = createLatencyPlan({ rttMs: rtt, jitterMs: jitter }, () => r);
          for (const ms of [plan.inboundMs({}), plan.outboundMs()]) {
            expect(ms).toBeGreaterThanOrEqual(Math.max(0, rtt / 2 - jitter) - 1e-9);
            expect(ms).toBeLessThanOrEqual(rtt / 2 + jitter + 1e-9);
          }
        },
      ),
    );
  });

  it('draws each half on its own (a reply is not as late as its request by rule)', () => {
    const draws = [0, 0.999];
    const plan = createLatencyPlan({ rttMs: 200, jitterMs: 50 }, () => draws.shift() ?? 0.5);
    expect(plan.inboundMs({})).toBe(50);
    expect(plan.outboundMs()).toBeCloseTo(149.9, 5);
  });

  it('adds nothing without a latency, and a connection seen before a latency is set stays set up', () => {
    const plan = createLatencyPlan(undefined);
    const early = {};
    expect(plan.inboundMs(early)).toBe(0);
    expect(plan.outboundMs()).toBe(0);
    plan.set({ rttMs: 100, setupMs: 300 });
    expect(plan.inboundMs(early)).toBe(50);
    expect(plan.inboundMs({})).toBe(350);
    plan.set(undefined);
    expect(plan.inboundMs({})).toBe(0);
  });

  it('refuses unusable values, naming the field', () => {
    expect(latencyProblem({ rttMs: -1 })).toMatch(/^rttMs must be a finite number >= 0/);
    expect(latencyProblem({ rttMs: Number.NaN })).toMatch(/^rttMs must be a finite number/);
    expect(latencyProblem({ rttMs: 100, setupMs: Number.POSITIVE_INFINITY })).toMatch(/^setupMs/);
    expect(latencyProblem({ rttMs: 100, jitterMs: 51 })).toMatch(/^jitterMs \(51\) must be at most half/);
    expect(latencyProblem({ rttMs: 600_001 })).toMatch(/^rttMs must be at most 600000/);
    expect(latencyProblem({ rttMs: 100, jitterMs: 50, setupMs: 0 })).toBeUndefined();
    expect(() => createLatencyPlan({ rttMs: 10, jitterMs: 6 })).toThrow(RangeError);
    const plan = createLatencyPlan({ rttMs: 10 });
    expect(() => plan.set({ rttMs: -5 })).toThrow(/latency: rttMs/);
    // A refused value leaves the previous one in place.
    expect(plan.outboundMs()).toBe(5);
  });
});
