import { segment, tokenParam } from '../../../src/route-params';
import { ClusterPage } from '../../../src/cluster/cluster-page';

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { token } = await searchParams;
  return <ClusterPage clusterId={segment(id)} token={tokenParam(token)} />;
}
