import {
  type CreateClusterResponse,
  createClusterResponseSchema,
  type CreateSweepResponse,
  createSweepResponseSchema,
  type SweepInfo,
  sweepInfoSchema,
} from '@overcommit/contracts';
import { type ApiResult, checked, request } from '../api';

// The sweeps routes (docs/api.md, "Sweeps"), each answer checked against its contract.

const sweepUrl = (api: string, id: string, token: string | undefined, tail = '') =>
  `${api}/api/sweeps/${encodeURIComponent(id)}${tail}${token ? `?token=${encodeURIComponent(token)}` : ''}`;

export type SweepSource =
  { scenarioName: string } | { scenario: string } | { clusterId: string; token?: string };

export async function createSweep(
  api: string,
  body: SweepSource & { request: unknown },
): Promise<ApiResult<CreateSweepResponse>> {
  const r = await request<unknown>(`${api}/api/sweeps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return r.ok ? checked(createSweepResponseSchema, r.value, 'the new sweep') : r;
}

export async function sweepInfo(
  api: string,
  id: string,
  token: string | undefined,
): Promise<ApiResult<SweepInfo>> {
  const r = await request<unknown>(sweepUrl(api, id, token));
  return r.ok ? checked(sweepInfoSchema, r.value, 'the sweep') : r;
}

export async function cancelSweep(
  api: string,
  id: string,
  token: string | undefined,
): Promise<ApiResult<SweepInfo>> {
  const r = await request<unknown>(sweepUrl(api, id, token), { method: 'DELETE' });
  return r.ok ? checked(sweepInfoSchema, r.value, 'the sweep') : r;
}

/** A point of a finished sweep as a new cluster: its scenario from the API, then POST /api/clusters. */
export async function openPointAsCluster(
  api: string,
  id: string,
  token: string | undefined,
  index: number,
): Promise<ApiResult<CreateClusterResponse>> {
  const s = await request<{ scenario: unknown }>(
    sweepUrl(api, id, token, `/points/${index}/scenario`),
  );
  if (!s.ok) return s;
  const r = await request<unknown>(`${api}/api/clusters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: s.value.scenario, visibility: 'private' }),
  });
  return r.ok ? checked(createClusterResponseSchema, r.value, 'the new cluster') : r;
}
