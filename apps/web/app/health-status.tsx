'use client';

import { useTranslations } from 'next-intl';
import { useApiUrl } from '../src/app-config';
import { fetchHealth, type HealthReading } from '../src/health/fetch-health';
import { usePolling } from '../src/ui/use-polling';

const POLL_MS = 5_000;

type Tone = 'ok' | 'warn' | 'crit';

function Badge({ tone, icon, children }: { tone: Tone; icon: string; children: string }) {
  return (
    <span className="badge" data-tone={tone}>
      <span aria-hidden="true">{icon}</span>
      {children}
    </span>
  );
}

/** The API's and Redis's state, as the browser sees them, refreshed every few seconds. */
export function HealthStatus() {
  const t = useTranslations('home');
  const apiUrl = useApiUrl();
  /** Why the API's answer is not a health report, in the reader's language. */
  const problem = (r: Exclude<HealthReading, { kind: 'ok' }>) =>
    r.kind === 'unreachable'
      ? t('health.cannotReach', { url: apiUrl, reason: r.reason, timeoutMs: r.timeoutMs })
      : t(r.problem === 'not-json' ? 'health.notJson' : 'health.badReport', {
          url: apiUrl,
          status: r.status,
        });
  const reading = usePolling(() => fetchHealth(apiUrl), POLL_MS, apiUrl);

  return (
    <section
      className="card"
      aria-labelledby="health-title"
      aria-live="polite"
      data-testid="health"
    >
      <h2 id="health-title">{t('health.title')}</h2>
      <div className="status-row">
        <span>{t('health.api')}</span>
        {reading === undefined ? (
          <span>{t('health.checking', { url: apiUrl })}</span>
        ) : reading.kind === 'ok' ? (
          <Badge tone="ok" icon="●">
            {t('health.apiUp', { version: reading.health.version })}
          </Badge>
        ) : (
          <Badge tone="crit" icon="✖">
            {reading.kind === 'unreachable' ? t('health.unreachable') : t('health.unexpected')}
          </Badge>
        )}
        <span>{t('health.redis')}</span>
        {reading?.kind === 'ok' ? (
          reading.health.redis === 'up' ? (
            <Badge tone="ok" icon="●">
              {t('health.up')}
            </Badge>
          ) : (
            <Badge tone="crit" icon="✖">
              {t('health.down')}
            </Badge>
          )
        ) : (
          <span>{t('health.unknown')}</span>
        )}
      </div>
      {reading && reading.kind !== 'ok' ? <p className="hint">{problem(reading)}</p> : null}
    </section>
  );
}
