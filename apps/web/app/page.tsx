import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { ClustersList } from '../src/home/clusters-list';
import { NewCluster } from '../src/home/new-cluster';
import { NewExercise } from '../src/home/new-exercise';
import { PageSettings } from '../src/ui/language-switch';
import { HealthStatus } from './health-status';
import { SweepsLink } from '../src/sweep/sweep-link';

export default function HomePage() {
  const t = useTranslations('home');
  const common = useTranslations('common');
  return (
    <main className="page home">
      <header className="home-head">
        <h1>{common('appName')}</h1>
        <p className="lede">
          {t('page.lede')}{' '}
          <Link href="/glossary" data-testid="glossary-link">
            {t('page.glossary')}
          </Link>{' '}
          <SweepsLink />
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
