import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { terms } from '../../src/help/glossary';
import { METRICS, type MetricId, metricText } from '../../src/help/metrics';
import { PageSettings } from '../../src/ui/language-switch';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('help');
  return { title: t('glossary.pageTitle') };
}

/** Every figure the dashboard shows (with its ranges) and the domain's words, each with an anchor. */
export default async function GlossaryPage() {
  const t = await getTranslations('help');
  const common = await getTranslations('common');
  return (
    <main className="page home glossary" data-testid="glossary">
      <header className="home-head">
        <Link href="/" className="crumb">
          {common('appName')}
        </Link>
        <h1>{t('glossary.title')}</h1>
        <p className="lede">{t('glossary.lede')}</p>
        <PageSettings />
      </header>
      <section className="panel" aria-labelledby="glossary-metrics">
        <h2 id="glossary-metrics">{t('glossary.metrics')}</h2>
        <dl>
          {(Object.keys(METRICS) as MetricId[]).map((id) => {
            const m = metricText(id, t);
            return (
              <div key={id}>
                <dt id={id}>
                  {m.name} <span className="dim">({m.unit})</span>
                </dt>
                <dd>
                  <p>{m.definition}</p>
                  {m.ranges ? (
                    <p>
                      <strong>{t('glossary.ranges')}:</strong> {m.ranges}
                    </p>
                  ) : null}
                  <p className="dim">
                    {t('glossary.source')}: {m.source}
                  </p>
                </dd>
              </div>
            );
          })}
        </dl>
      </section>
      <section className="panel" aria-labelledby="glossary-terms">
        <h2 id="glossary-terms">{t('glossary.terms')}</h2>
        <dl>
          {terms(t).map((term) => (
            <div key={term.id}>
              <dt id={term.id}>{term.term}</dt>
              <dd>{term.definition}</dd>
            </div>
          ))}
        </dl>
      </section>
    </main>
  );
}
