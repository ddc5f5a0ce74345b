import { segment, tokenParam } from '../../../src/route-params';
import { SweepPage } from '../../../src/sweep/sweep-page';

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { token } = await searchParams;
  return <SweepPage sweepId={segment(id)} token={tokenParam(token)} />;
}
