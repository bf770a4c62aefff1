/**
 * Recognises which event source invoked the checkpoint function: SQS, EventBridge or a direct
 * invocation. Pure: no I/O, no AWS imports beyond types.
 */

/** What an SQS record contributes. */
interface SqsItem {
  readonly messageId: string;
  readonly body: unknown;
  readonly group: string | undefined;
}

export type DetectedEvent =
  | { readonly kind: 'sqs'; readonly fifo: boolean; readonly records: readonly SqsItem[] }
  | { readonly kind: 'eventbridge'; readonly id: string | undefined; readonly detail: unknown }
  | { readonly kind: 'direct'; readonly commands: readonly unknown[]; readonly single: boolean }
  /** A direct invocation that asks for something other than checkpoints (`{"action":"status"}`). */
  | { readonly kind: 'action'; readonly request: Record<string, unknown> }
  | { readonly kind: 'unsupported'; readonly reason: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Tells the event sources apart: SQS by `Records[].eventSource === 'aws:sqs'`, EventBridge by
 * `detail-type` plus `detail`, an action by its `action` field; anything else is a direct
 * invocation (an array is a list of commands). A record list from another service is unsupported rather than misread.
 */
export function detectEvent(event: unknown): DetectedEvent {
  if (isObject(event) && Array.isArray(event.Records)) {
    const records: unknown[] = event.Records;
    const foreign = records.find((r) => !isObject(r) || r.eventSource !== 'aws:sqs');
    if (foreign !== undefined) {
      const source = isObject(foreign) ? String(foreign.eventSource ?? foreign.EventSource) : typeof foreign;
      return { kind: 'unsupported', reason: `Records from ${source.slice(0, 60)} are not supported` };
    }
    const items: SqsItem[] = [];
    let fifo = false;
    for (const [index, r] of (records as Record<string, unknown>[]).entries()) {
      if (typeof r.messageId !== 'string' || r.messageId === '') {
        // Without an id the record cannot be reported back, so no partial reply can be right.
        return { kind: 'unsupported', reason: `SQS record ${index} has no messageId` };
      }
      if (typeof r.eventSourceARN === 'string' && r.eventSourceARN.endsWith('.fifo')) fifo = true;
      const group = isObject(r.attributes) ? r.attributes.MessageGroupId : undefined;
      items.push({
        messageId: r.messageId,
        body: r.body,
        group: typeof group === 'string' ? group : undefined,
      });
    }
    return { kind: 'sqs', fifo, records: items };
  }
  if (isObject(event) && typeof event['detail-type'] === 'string' && 'detail' in event) {
    return {
      kind: 'eventbridge',
      id: typeof event.id === 'string' ? event.id : undefined,
      detail: event.detail,
    };
  }
  if (isObject(event) && 'action' in event) return { kind: 'action', request: event };
  if (Array.isArray(event)) return { kind: 'direct', commands: event, single: false };
  return { kind: 'direct', commands: [event], single: true };
}

/** How many records (commands) an event carries; 0 for an unsupported one. */
export function recordCount(source: DetectedEvent): number {
  if (source.kind === 'sqs') return source.records.length;
  if (source.kind === 'eventbridge') return 1;
  if (source.kind === 'direct') return source.commands.length;
  return 0;
}
