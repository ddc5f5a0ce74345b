import {
  type ClusterConfig,
  clusterConfigSchema,
  type ClusterSummary,
  clusterSummarySchema,
  type CreateClusterResponse,
  createClusterResponseSchema,
  type CreateExerciseResponse,
  createExerciseResponseSchema,
  type ForkClusterResponse,
  forkClusterResponseSchema,
  type ExerciseControl,
  type ExerciseReport,
  exerciseReportSchema,
  type Scoreboard,
  scoreboardSchema,
  decodeFrameColumns,
  type FrameColumns,
  type MigrationTargets,
  migrationTargetsSchema,
  type Visibility,
  formatInputErrors,
  type ErrorParams,
  type InputError,
  zodIssuesToInputErrors,
} from '@overcommit/contracts';
import { z } from 'zod';

export interface ApiError {
  /** In English, as the API (or this dashboard) wrote it. */
  message: string;
  /**
   * The API's stable error code (contracts' errorCodes), or one of this dashboard's own
   * (CLIENT_ERROR_CODES): the dashboard says it in its reader's language (useErrorText).
   */
  code?: string;
  params?: ErrorParams;
  /** Scenario errors, each at its path. */
  errors?: InputError[];
}

/** Errors this dashboard finds itself, before or after the API answers. */
export const CLIENT_ERROR_CODES = [
  'api-unreachable',
  'api-mismatch',
  'http-status',
  /** A socket event the server did not acknowledge in time (connection lost?). */
  'no-answer',
] as const;

/** An error answer's params: names and figures, nothing else (an API of another version may differ). */
const errorParamsSchema = z.record(z.string(), z.union([z.string(), z.number()])).optional();

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** An answer checked against its contract: a mismatch (an API of another version) says where. */
export function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): ApiResult<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = formatInputErrors(zodIssuesToInputErrors(parsed.error.issues).slice(0, 1));
  return {
    ok: false,
    error: {
      message: `the API's answer for ${what} is not what this dashboard expects (${first}): are the API and the dashboard the same version?`,
      code: 'api-mismatch',
      params: { details: first },
    },
  };
}

export async function request<T>(url: string, init?: RequestInit): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store', ...init });
  } catch (error) {
    return {
      ok: false,
      error: {
        message: `cannot reach the API at ${new URL(url).origin}: ${(error as Error).message}`,
        code: 'api-unreachable',
        params: { origin: new URL(url).origin, details: (error as Error).message },
      },
    };
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const b = (body ?? {}) as {
      message?: unknown;
      code?: unknown;
      params?: unknown;
      errors?: ApiError['errors'];
    };
    const message = Array.isArray(b.message)
      ? b.message.join('; ')
      : typeof b.message === 'string'
        ? b.message
        : `${response.status} ${response.statusText}`;
    const coded = errorParamsSchema.safeParse(b.params);
    return {
      ok: false,
      error: {
        message,
        errors: b.errors,
        ...(typeof b.code === 'string'
          ? { code: b.code, ...(coded.success && coded.data ? { params: coded.data } : {}) }
          : { code: 'http-status', params: { status: response.status } }),
      },
    };
  }
  return { ok: true, value: body as T };
}

export interface ScenarioInfo {
  name: string;
  title?: string;
  description?: string;
  hosts: number;
  vms: number;
  /** An exercise scenario (scenarios/exercises/), named exercises/<file>. */
  exercise?: boolean;
}

export const listScenarios = (api: string) =>
  request<{ scenarios: ScenarioInfo[] } | ScenarioInfo[]>(`${api}/api/scenarios`).then(
    (r): ApiResult<ScenarioInfo[]> =>
      r.ok ? { ok: true, value: Array.isArray(r.value) ? r.value : r.value.scenarios } : r,
  );

export const listClusters = (api: string) =>
  request<unknown>(`${api}/api/clusters`).then((r): ApiResult<ClusterSummary[]> =>
    r.ok ? checked(z.array(clusterSummarySchema), r.value, 'the clusters') : r,
  );

export type NewCluster =
  | { kind: 'bundled'; scenarioName: string; visibility: Visibility }
  | { kind: 'yaml'; yaml: string; visibility: Visibility };

export async function createCluster(
  api: string,
  input: NewCluster,
): Promise<ApiResult<CreateClusterResponse>> {
  const r =
    input.kind === 'bundled'
      ? await request<unknown>(`${api}/api/clusters`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ scenarioName: input.scenarioName, visibility: input.visibility }),
        })
      : await request<unknown>(
          `${api}/api/clusters?visibility=${encodeURIComponent(input.visibility)}`,
          { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: input.yaml },
        );
  return r.ok ? checked(createClusterResponseSchema, r.value, 'the new cluster') : r;
}

const clusterUrl = (api: string, clusterId: string) =>
  `${api}/api/clusters/${encodeURIComponent(clusterId)}`;

const withToken = (url: string, token: string | undefined) =>
  token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;

/** Frames of the history between two ticks, every Nth, decoded from the wire form. */
export async function history(
  api: string,
  clusterId: string,
  token: string | undefined,
  from: number,
  to: number,
  every: number,
): Promise<ApiResult<FrameColumns[]>> {
  const r = await request<{ frames: string[] }>(
    withToken(
      `${clusterUrl(api, clusterId)}/history?from=${from}&to=${to}&every=${every}&format=wire`,
      token,
    ),
  );
  return r.ok ? { ok: true, value: r.value.frames.map(decodeFrameColumns) } : r;
}

/** Each host as a destination for one VM: whether the engine would take it there, and why not. */
export async function migrationTargets(
  api: string,
  clusterId: string,
  token: string | undefined,
  vm: string,
): Promise<ApiResult<MigrationTargets>> {
  const r = await request<unknown>(
    withToken(`${clusterUrl(api, clusterId)}/vms/${encodeURIComponent(vm)}/targets`, token),
  );
  return r.ok ? checked(migrationTargetsSchema, r.value, 'migration targets') : r;
}

/** Deletes a cluster (operator token); its ticks stop and its data goes. */
export async function deleteCluster(
  api: string,
  clusterId: string,
  token: string,
): Promise<ApiResult<void>> {
  const r = await request<unknown>(clusterUrl(api, clusterId), {
    method: 'DELETE',
    headers: bearer(token),
  });
  return r.ok ? { ok: true, value: undefined } : r;
}

/**
 * Forks a cluster: a private, paused copy at its current tick with tokens of its own. Any token
 * that opens the cluster may fork it.
 */
export async function forkCluster(
  api: string,
  clusterId: string,
  token: string | undefined,
): Promise<ApiResult<ForkClusterResponse>> {
  const r = await request<unknown>(`${clusterUrl(api, clusterId)}/fork`, {
    method: 'POST',
    headers: token ? bearer(token) : {},
  });
  return r.ok ? checked(forkClusterResponseSchema, r.value, 'the fork') : r;
}

/** The cluster's figures (name, speed, paused...), cheap enough to poll. */
export async function clusterSummary(
  api: string,
  clusterId: string,
  token: string | undefined,
): Promise<ApiResult<ClusterSummary>> {
  const r = await request<unknown>(withToken(`${clusterUrl(api, clusterId)}/summary`, token));
  return r.ok ? checked(clusterSummarySchema, r.value, 'the cluster') : r;
}

/** The cluster's policy and hosts' topology (the latest frame comes over the socket). */
export async function clusterConfig(
  api: string,
  clusterId: string,
  token: string | undefined,
): Promise<ApiResult<ClusterConfig>> {
  const r = await request<unknown>(withToken(clusterUrl(api, clusterId), token));
  if (!r.ok) return r;
  const parsed = checked(z.object({ config: clusterConfigSchema }), r.value, 'the cluster');
  return parsed.ok ? { ok: true, value: parsed.value.config } : parsed;
}

// ---------------------------------------------------------------- exercises

const exerciseUrl = (api: string, id: string) => `${api}/api/exercises/${encodeURIComponent(id)}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates an exercise for teams from a bundled exercise scenario. */
export async function createExercise(
  api: string,
  input: { scenarioName: string; teams: number | string[]; name?: string },
): Promise<ApiResult<CreateExerciseResponse>> {
  const r = await request<unknown>(`${api}/api/exercises`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return r.ok ? checked(createExerciseResponseSchema, r.value, 'the new exercise') : r;
}

/** Every team's score at its latest tick (instructor token). */
export async function exerciseScoreboard(
  api: string,
  id: string,
  token: string,
): Promise<ApiResult<Scoreboard>> {
  const r = await request<unknown>(exerciseUrl(api, id), { headers: bearer(token) });
  return r.ok ? checked(scoreboardSchema, r.value, 'the scoreboard') : r;
}

/** Start, pause, resume, end, speed or inject, for every team at once. */
export async function controlExercise(
  api: string,
  id: string,
  token: string,
  control: ExerciseControl,
): Promise<
  ApiResult<{ state: string; teams: { team: string; status: string; reason?: string }[] }>
> {
  return request(`${exerciseUrl(api, id)}/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify(control),
  });
}

/** The after-action report (instructor token). */
export async function exerciseReport(
  api: string,
  id: string,
  token: string,
): Promise<ApiResult<ExerciseReport>> {
  const r = await request<unknown>(`${exerciseUrl(api, id)}/report`, { headers: bearer(token) });
  return r.ok ? checked(exerciseReportSchema, r.value, 'the report') : r;
}

/** The report as Markdown text, as the API renders it. */
export async function exerciseReportMarkdown(
  api: string,
  id: string,
  token: string,
): Promise<ApiResult<string>> {
  try {
    const response = await fetch(`${exerciseUrl(api, id)}/report.md`, {
      cache: 'no-store',
      headers: bearer(token),
    });
    if (!response.ok)
      return {
        ok: false,
        error: {
          message: `${response.status} ${response.statusText}`,
          code: 'http-status',
          params: { status: response.status },
        },
      };
    return { ok: true, value: await response.text() };
  } catch (error) {
    return {
      ok: false,
      error: {
        message: `cannot reach the API: ${(error as Error).message}`,
        code: 'api-unreachable',
        params: { origin: new URL(api).origin, details: (error as Error).message },
      },
    };
  }
}
