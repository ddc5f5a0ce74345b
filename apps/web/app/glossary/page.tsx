import type { Metadata } from 'next';
import Link from 'next/link';
import { GLOSSARY_TEXT, TERMS } from '../../src/help/glossary';
import { METRICS, type MetricId, rangesText } from '../../src/help/metrics';
import { PageSettings } from '../../src/ui/language-switch';

export const metadata: Metadata = { title: `${GLOSSARY_TEXT.title} · Overcommit` };

/** Every figure the dashboard shows (with its ranges) and the domain's words, each with an anchor. */
export default function GlossaryPage() {
  return (
    <main className="page home glossary" data-testid="glossary">
      <header className="home-head">
        <Link href="/" className="crumb">
          Overcommit
        </Link>
        <h1>{GLOSSARY_TEXT.title}</h1>
        <p className="lede">{GLOSSARY_TEXT.lede}</p>
        <PageSettings />
      </header>
      <section className="panel" aria-labelledby="glossary-metrics">
        <h2 id="glossary-metrics">{GLOSSARY_TEXT.metrics}</h2>
        <dl>
          {(Object.keys(METRICS) as MetricId[]).map((id) => {
            const m = METRICS[id];
            const ranges = rangesText(m);
            return (
              <div key={id}>
                <dt id={id}>
                  {m.name} <span className="dim">({m.unit})</span>
                </dt>
                <dd>
                  <p>{m.definition}</p>
                  {ranges ? (
                    <p>
                      <strong>{GLOSSARY_TEXT.ranges}:</strong> {ranges}
                    </p>
                  ) : null}
                  <p className="dim">
                    {GLOSSARY_TEXT.source}: {m.source}
                  </p>
                </dd>
              </div>
            );
          })}
        </dl>
      </section>
      <section className="panel" aria-labelledby="glossary-terms">
        <h2 id="glossary-terms">{GLOSSARY_TEXT.terms}</h2>
        <dl>
          {TERMS.map((t) => (
            <div key={t.id}>
              <dt id={t.id}>{t.term}</dt>
              <dd>{t.definition}</dd>
            </div>
          ))}
        </dl>
      </section>
    </main>
  );
}
