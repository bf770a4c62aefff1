/** Small builders of Lambda events, contexts and configurations for the functions' tests. */
import type { Context, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';

export const QUEUE_ARN = 'arn:aws:sqs:eu-central-1:123456789012:checkpoints';
export const FIFO_QUEUE_ARN = 'arn:aws:sqs:eu-central-1:123456789012:checkpoints.fifo';

let sequence = 0;

/** One SQS record; `body` is sent as is when a string, else JSON-encoded. */
export function sqsRecord(
  body: unknown,
  options: { messageId?: string; groupId?: string; fifo?: boolean } = {},
): SQSRecord {
  sequence++;
  const fifo = options.fifo ?? options.groupId !== undefined;
  return {
    messageId: options.messageId ?? `msg-${String(sequence).padStart(6, '0')}`,
    receiptHandle: `receipt-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1763884800000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1763884800001',
      ...(fifo
        ? {
            MessageGroupId: options.groupId ?? 'default',
            MessageDeduplicationId: `dedup-${sequence}`,
            SequenceNumber: String(sequence).padStart(20, '0'),
          }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: fifo ? FIFO_QUEUE_ARN : QUEUE_ARN,
    awsRegion: 'eu-central-1',
  };
}

export function sqsEvent(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}

/** A standard-queue event with one record per body. */
export function sqsEventOf(bodies: readonly unknown[]): SQSEvent {
  return sqsEvent(bodies.map((body) => sqsRecord(body)));
}

/** A FIFO event: `[groupId, body]` pairs in delivery order. */
export function fifoEventOf(entries: readonly (readonly [string, unknown])[]): SQSEvent {
  return sqsEvent(entries.map(([groupId, body]) => sqsRecord(body, { groupId })));
}

export function eventBridgeEvent<T>(detail: T, detailType = 'SLS checkpoint'): EventBridgeEvent<string, T> {
  sequence++;
  return {
    version: '0',
    id: `event-${sequence}`,
    'detail-type': detailType,
    source: 'app.consumer',
    account: '123456789012',
    time: '2026-11-23T08:00:00Z',
    region: 'eu-central-1',
    resources: [],
    detail,
  };
}

/** A Lambda context whose remaining time is `remainingMs` (a fixed number or a function). */
export function lambdaContext(remainingMs: number | (() => number) = 60_000): Context {
  sequence++;
  const remaining = typeof remainingMs === 'number' ? () => remainingMs : remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'slscheckpoint-checkpoint',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:slscheckpoint-checkpoint',
    memoryLimitInMB: '256',
    awsRequestId: `request-${sequence}`,
    logGroupName: '/aws/lambda/slscheckpoint-checkpoint',
    logStreamName: '2026/11/23/[$LATEST]0000',
    getRemainingTimeInMillis: remaining,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** An SLS cursor: base64 of the decimal string of `value`. */
export function cursor(value: bigint | number): string {
  return Buffer.from(String(value)).toString('base64');
}
