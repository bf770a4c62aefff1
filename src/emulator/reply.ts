/**
 * Replies as SLS sends them: every reply carries `x-log-requestid` and `Date`; a body is JSON
 * with `Content-Type: application/json`; a reply without a body (UpdateCheckPoint,
 * CreateConsumerGroup) is `Content-Length: 0` with no content type, as the UpdateCheckPoint
 * reference page shows; errors are `{"errorCode", "errorMessage"}`.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** What to answer: a status and, when there is one, the JSON body. */
export interface Reply {
  readonly status: number;
  readonly json?: unknown;
}

/** A request id in SLS's form: 24 upper-case hex digits. */
export function newRequestId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

/** The reply of an error. */
export function errorReply(status: number, errorCode: string, errorMessage: string): Reply {
  return { status, json: { errorCode, errorMessage } };
}

/** Writes `reply` with SLS's headers. `now` is the server's clock (epoch ms). */
export function sendReply(res: ServerResponse, reply: Reply, requestId: string, now: number): void {
  const headers: Record<string, string | number> = {
    date: new Date(now).toUTCString(),
    server: 'sls-emulator',
    'x-log-requestid': requestId,
  };
  let payload = '';
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['content-type'] = 'application/json';
  }
  headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(reply.status, headers);
  res.end(payload);
}
