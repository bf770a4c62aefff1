/**
 * The status request of a direct invocation: `{"action":"status"}` with optional `project`,
 * `logstore` and `consumerGroup` (the function's defaults otherwise). Never throws, never echoes.
 */
import * as z from 'zod/mini';
import type { CommandDefaults } from '../checkpoint/command.ts';
import { formatIssues, slsNameSchema as slsName } from '../validation.ts';

const statusSchema = z.strictObject({
  action: z.literal('status'),
  project: z.optional(slsName('project')),
  logstore: z.optional(slsName('logstore')),
  consumerGroup: z.optional(slsName('consumerGroup')),
});

/** The group a status request names: the same fields a checkpoint command's defaults fill in. */
export type GroupNames = CommandDefaults;

export type StatusRequestResult =
  | { readonly ok: true; readonly group: GroupNames }
  | { readonly ok: false; readonly error: string };

/** Validates a status request and fills in the defaults. */
export function parseStatusRequest(input: unknown, defaults: GroupNames): StatusRequestResult {
  const parsed = statusSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error.issues, 'request', 5) };
  const r = parsed.data;
  return {
    ok: true,
    group: {
      project: r.project ?? defaults.project,
      logstore: r.logstore ?? defaults.logstore,
      consumerGroup: r.consumerGroup ?? defaults.consumerGroup,
    },
  };
}
