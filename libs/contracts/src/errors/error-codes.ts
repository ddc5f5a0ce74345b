import { z } from 'zod';
import type { InputError } from './input-error';

// Every error the API answers carries a stable code beside its English message: the message is
// for people reading logs and curl output, the code (with its params) for programs, and for the
// dashboard, which says it in the reader's language (apps/web/messages/<locale>/errors.json). A
// code never changes meaning; a new situation gets a new code.

export const errorCodes = [
  // --- bad input (400) ---
  /** A request the server cannot read (a path parameter it cannot decode...). */
  'invalid-request',
  /** The JSON body is not the request's shape; `errors` says where. */
  'invalid-body',
  /** The query string is not valid; `errors` says where. */
  'invalid-query',
  /** A header (X-User-Name) is not valid; `errors` says where. */
  'invalid-header',
  /** The command is not one the cluster takes; `errors` says where. */
  'invalid-command',
  /** The exercise control is not valid; `errors` says where. */
  'invalid-control',
  /** The scenario is not valid and nothing was created; `errors` says where. params: none. */
  'scenario-invalid',
  /** No bundled scenario of that name. params: name. */
  'scenario-unknown',
  /** The scenario has no `exercise:` section. */
  'scenario-not-exercise',
  /** A history range whose start is after its end. params: from, to. */
  'history-range',
  /** An injected event no team's cluster can take. */
  'inject-refused',
  /** The body is not valid JSON. */
  'body-not-json',
  /** The body is over the size limit. */
  'body-too-large',
  /** The body is not UTF-8. */
  'body-charset',
  /** The sweep request is not valid for its scenario; `errors` says where. */
  'sweep-invalid',
  /** The sweep is larger than this server runs. params: field, limit, value. (413) */
  'sweep-too-large',
  /** The body is compressed. */
  'body-encoding',
  /** The body is shorter or longer than its Content-Length, or was not sent in full. */
  'body-incomplete',
  // --- not authorized (401) ---
  /** GET /metrics without the deployment's METRICS_TOKEN. */
  'metrics-token',
  // --- not allowed (403) ---
  /** A command refused by the engine or the cluster's state, said in English. params: reason. */
  'command-refused',
  /** A viewer's link watches but may not act. */
  'viewer-cannot-act',
  /** In an exercise only the instructor controls time. params: action. */
  'instructor-controls-time',
  /** Pause of a paused cluster. */
  'already-paused',
  /** Resume of a running cluster. */
  'not-paused',
  /** Only the sweep's own token cancels it. */
  'sweep-not-owner',
  /** Only the operator's link deletes a cluster. */
  'delete-not-operator',
  /** An exercise team's cluster is deleted with its exercise. params: team, exercise. */
  'delete-exercise-cluster',
  /** The exercise forbids its teams to fork their clusters (`allowForks: false`). params: exercise. */
  'fork-forbidden',
  /** A run-ahead while the cluster is still running ahead. params: until (simulated seconds). */
  'already-running-ahead',
  // --- not found (404) ---
  /** No such cluster, or a private one this link does not open. params: id. */
  'cluster-not-found',
  /** No such exercise, or not this instructor's. params: id. */
  'exercise-not-found',
  /** No such command on the cluster. params: id. */
  'command-not-found',
  /** No such VM on the cluster. params: name. */
  'vm-not-found',
  /** No such sweep (or forgotten), or a private one this link does not open. params: id. */
  'sweep-not-found',
  /** No route for this method and path. */
  'route-not-found',
  // --- conflict (409) ---
  /** The sweep has finished already (done, failed or cancelled). params: status. */
  'sweep-finished',
  /** The exercise has ended. params: action. */
  'exercise-ended',
  /** The exercise is not in a state that takes this control. params: action, state. */
  'exercise-state',
  // --- too many (429) ---
  /** The deployment has as many clusters as it may keep. params: max. */
  'clusters-full',
  /** This address has as many clusters as it may keep. params: max. */
  'clusters-full-address',
  /** The deployment runs or queues as many sweeps as it may. params: max. */
  'sweeps-full',
  /** This address runs or queues as many sweeps as it may. params: max. */
  'sweeps-full-address',
  /** Too many requests or events from one client. params: limit. */
  'rate-limited',
  // --- socket.io acknowledgements ---
  /** An event the server does not know. params: event. */
  'event-unknown',
  /** A join request that is not valid. params: details. */
  'join-invalid',
  /** The connection closed, or left the cluster, while joining. */
  'join-interrupted',
  /** An event for a cluster this connection has not joined. params: id. */
  'not-joined',
  /** The server could not do it now (Redis away); the same request may be sent again. */
  'try-again',
  /** A fault of the server's own (500). */
  'server-error',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** What a code's message may name: ids, names, figures. */
export type ErrorParams = Record<string, string | number>;

/** An error answer of the API: `{ statusCode, code, params?, message, errors? }`. */
export const apiErrorBodySchema = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  message: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema> & { errors?: InputError[] };

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
