import {
  type ClusterConfig,
  clusterConfigSchema,
  type ClusterSummary,
  clusterSummarySchema,
  type CreateClusterResponse,
  createClusterResponseSchema,
  decodeFrame,
  type Frame,
  type MigrationTargets,
  migrationTargetsSchema,
  type Visibility,
} from '@overcommit/contracts';
import { z } from 'zod';

export interface ApiError {
  message: string;
  /** Scenario errors, each at its path. */
  errors?: { path: string; message: string }[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** An answer checked against its contract: a mismatch (an API of another version) says where. */
function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): ApiResult<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  return {
    ok: false,
    error: {
      message: `the API's answer for ${what} is not what this dashboard expects (${first?.path.join('.') || '(answer)'}: ${first?.message ?? 'invalid'}): are the API and the dashboard the same version?`,
    },
  };
}

async function request<T>(url: string, init?: RequestInit): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store', ...init });
  } catch (error) {
    return {
      ok: false,
      error: {
        message: `cannot reach the API at ${new URL(url).origin}: ${(error as Error).message}`,
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
    const b = (body ?? {}) as { message?: unknown; errors?: ApiError['errors'] };
    const message = Array.isArray(b.message)
      ? b.message.join('; ')
      : typeof b.message === 'string'
        ? b.message
        : `${response.status} ${response.statusText}`;
    return { ok: false, error: { message, errors: b.errors } };
  }
  return { ok: true, value: body as T };
}

export interface ScenarioInfo {
  name: string;
  title?: string;
  description?: string;
  hosts: number;
  vms: number;
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
): Promise<ApiResult<Frame[]>> {
  const r = await request<{ frames: string[] }>(
    withToken(
      `${clusterUrl(api, clusterId)}/history?from=${from}&to=${to}&every=${every}&format=wire`,
      token,
    ),
  );
  return r.ok ? { ok: true, value: r.value.frames.map(decodeFrame) } : r;
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
