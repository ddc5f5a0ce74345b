import { segment, tokenParam } from '../../../src/route-params';
import { InstructorPage } from '../../../src/exercises/instructor-page';

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { token } = await searchParams;
  return <InstructorPage exerciseId={segment(id)} token={tokenParam(token)} />;
}
