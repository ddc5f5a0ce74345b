'use client';

import { useApiUrl } from '../src/app-config';
import { fetchHealth } from '../src/health/fetch-health';
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
  const apiUrl = useApiUrl();
  const reading = usePolling(() => fetchHealth(apiUrl), POLL_MS, apiUrl);

  return (
    <section
      className="card"
      aria-labelledby="health-title"
      aria-live="polite"
      data-testid="health"
    >
      <h2 id="health-title">System status</h2>
      <div className="status-row">
        <span>API</span>
        {reading === undefined ? (
          <span>checking {apiUrl} …</span>
        ) : reading.kind === 'ok' ? (
          <Badge tone="ok" icon="●">{`up (version ${reading.health.version})`}</Badge>
        ) : (
          <Badge tone="crit" icon="✖">
            {reading.kind === 'unreachable' ? 'unreachable' : 'unexpected answer'}
          </Badge>
        )}
        <span>Redis</span>
        {reading?.kind === 'ok' ? (
          reading.health.redis === 'up' ? (
            <Badge tone="ok" icon="●">
              up
            </Badge>
          ) : (
            <Badge tone="crit" icon="✖">
              down
            </Badge>
          )
        ) : (
          <span>unknown</span>
        )}
      </div>
      {reading && reading.kind !== 'ok' ? <p className="hint">{reading.message}</p> : null}
    </section>
  );
}
