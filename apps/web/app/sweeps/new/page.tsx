import { tokenParam } from '../../../src/route-params';
import { NewSweep } from '../../../src/sweep/new-sweep';

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { cluster, token } = await searchParams;
  const clusterId = tokenParam(cluster);
  return <NewSweep clusterId={clusterId} token={tokenParam(token)} />;
}
