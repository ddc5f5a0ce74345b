import Link from 'next/link';
import { ClustersList } from '../src/home/clusters-list';
import { NewCluster } from '../src/home/new-cluster';
import { NewExercise } from '../src/home/new-exercise';
import { PageSettings } from '../src/ui/language-switch';
import { HealthStatus } from './health-status';

export default function HomePage() {
  return (
    <main className="page home">
      <header className="home-head">
        <h1>Overcommit</h1>
        <p className="lede">
          A live, multi-user simulator and monitor of virtualized clusters.{' '}
          <Link href="/glossary" data-testid="glossary-link">
            Glossary
          </Link>
        </p>
        <PageSettings />
      </header>
      <ClustersList />
      <NewCluster />
      <NewExercise />
      <HealthStatus />
    </main>
  );
}
