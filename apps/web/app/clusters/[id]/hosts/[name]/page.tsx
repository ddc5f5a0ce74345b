import { segment, tokenParam } from '../../../../../src/route-params';
import { HostPage } from '../../../../../src/cluster/host-page';

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ id: string; name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id, name } = await params;
  const { token } = await searchParams;
  return <HostPage clusterId={segment(id)} host={segment(name)} token={tokenParam(token)} />;
}
