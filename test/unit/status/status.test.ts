import { describe, expect, it } from 'vitest';
import { detectEvent } from '../../../src/checkpoint/events.ts';
import { parseStatusRequest } from '../../../src/status/request.ts';
import { GroupNotFoundError, readGroupStatus } from '../../../src/status/status.ts';
import { rejectionOf } from '../../helpers/assert.ts';
import { createFakeClient } from '../checkpoint/fake-client.ts';

const defaults = { project: 'proj', logstore: 'store', consumerGroup: 'group' };

describe('the status request', () => {
  it('is told apart from checkpoint commands by its action field', () => {
    expect(detectEvent({ action: 'status' })).toEqual({ kind: 'action', request: { action: 'status' } });
    expect(detectEvent([{ action: 'status' }])).toMatchObject({ kind: 'direct' });
    expect(detectEvent({ shard: 1, from: 'end' })).toMatchObject({ kind: 'direct', single: true });
  });

  it('fills in the defaults and keeps what it is given', () => {
    expect(parseStatusRequest({ action: 'status' }, defaults)).toEqual({ ok: true, group: defaults });
    expect(parseStatusRequest({ action: 'status', consumerGroup: 'other_group' }, defaults)).toEqual({
      ok: true,
      group: { ...defaults, consumerGroup: 'other_group' },
    });
  });

  it.each<[unknown, string]>([
    [{ action: 'status', project: 'Bad Name' }, 'project may contain only'],
    [{ action: 'status', extra: 1 }, 'request has unknown field extra'],
    [{ action: 'reset' }, 'action must be one of "status"'],
  ])('refuses %j', (input, message) => {
    const result = parseStatusRequest(input, defaults);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });
});

describe('readGroupStatus', () => {
  it('fails when ListConsumerGroup does not list the group, though its checkpoints read', async () => {
    const client = createFakeClient();
    const error = await rejectionOf(
      readGroupStatus(
        { endpoint: 'http://127.0.0.1:9', ...defaults },
        { client, now: () => 0, deadline: 60_000, concurrency: 2 },
      ),
      GroupNotFoundError,
    );
    expect(error).toMatchObject({ code: 'ConsumerGroupNotExist', retryable: false });
    expect(error.message).toBe("consumer group proj/store/group is not in ListConsumerGroup's reply");
  });
});
