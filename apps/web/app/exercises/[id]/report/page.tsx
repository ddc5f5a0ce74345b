import { segment, tokenParam } from '../../../../src/route-params';
import { ReportPage } from '../../../../src/exercises/report-page';

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { token } = await searchParams;
  return <ReportPage exerciseId={segment(id)} token={tokenParam(token)} />;
}
