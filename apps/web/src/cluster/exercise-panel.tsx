'use client';

import { briefingIn, clock, type ExerciseFrame, type ObjectiveScore } from '@overcommit/contracts';
import { Progress } from '@mantine/core';
import { useFormatter, useLocale, useTranslations } from 'next-intl';
import { memo } from 'react';
import { useWaitingWords } from '../help/waiting';
import { Markdown } from '../ui/markdown';
import { useFeedView } from '../live/hooks';
import { palette, pct } from '../ui/format';
import { useCluster, useStart } from './context';
import { useClusterConfig } from './use-config';
import { useWaitingText } from './waiting';

const round1 = (x: number) => Math.round(x * 10) / 10;

/** A countdown shows 0:00 only once the time is really up. */
const ceil = (x: number) => Math.ceil(x - 1e-9);

/** A figure to two decimals at most, in the reader's digits. */
function useValue(): (v: number) => string {
  const format = useFormatter();
  return (v) => format.number(v, { maximumFractionDigits: 2 });
}

/** A yes/no in a word and an icon, never in colour alone. */
function Verdict({ ok, yes, no }: { ok: boolean; yes: string; no: string }) {
  return (
    <span className="verdict" data-tone={ok ? 'ok' : 'crit'}>
      <span aria-hidden="true">{ok ? '✓' : '✗'}</span> {ok ? yes : no}
    </span>
  );
}

function ObjectiveRow({ o }: { o: ObjectiveScore }) {
  const t = useTranslations('exercise');
  const value = useValue();
  return (
    <tr data-testid={`objective-${o.id}`} data-holding={o.holding ? 'true' : 'false'}>
      <th scope="row" className="objective-text">
        {o.text}
      </th>
      <td className="num">{value(o.weight)}</td>
      <td>
        <Verdict ok={o.holding} yes={t('panel.holding')} no={t('panel.notHolding')} />
      </td>
      <td className="num">{pct(o.heldPct)}</td>
      <td className="num">{value(o.points)}</td>
      <td>
        {o.value !== null ? <span className="num">{value(o.value)}</span> : null}
        {o.value !== null && o.violations > 0 ? ' · ' : null}
        {o.violations > 0 ? (
          <span className="verdict violations" data-tone="crit">
            <span aria-hidden="true">▲ </span>
            {t('panel.violations', { count: o.violations })}
          </span>
        ) : null}
        {o.value === null && o.violations === 0 ? <span className="dim">–</span> : null}
      </td>
    </tr>
  );
}

function ResponseRow({
  label,
  testId,
  done,
  critical,
  mean,
  worst,
  target,
  met,
}: {
  label: string;
  testId: string;
  done: number;
  critical: number;
  mean: number | null;
  worst: number | null;
  target: number;
  met: boolean;
}) {
  const t = useTranslations('exercise');
  return (
    <tr data-testid={testId} data-met={met ? 'true' : 'false'}>
      <th scope="row">{label}</th>
      <td className="num">
        {done} <span className="dim">{t('panel.outOf', { count: critical })}</span>
      </td>
      <td className="num">{clock(mean)}</td>
      <td className="num">{clock(worst)}</td>
      <td className="num">{clock(target)}</td>
      <td>
        <Verdict ok={met} yes={t('panel.met')} no={t('panel.missed')} />
      </td>
    </tr>
  );
}

function ExerciseView({ ex }: { ex: ExerciseFrame }) {
  const t = useTranslations('exercise');
  const { finished, durationSeconds, elapsedSeconds, response: r } = ex;
  const left = finished ? 0 : Math.max(0, durationSeconds - elapsedSeconds);
  const elapsedShare =
    finished || durationSeconds <= 0
      ? 100
      : round1(Math.min(100, Math.max(0, (elapsedSeconds / durationSeconds) * 100)));
  return (
    <section
      className="panel exercise-panel"
      aria-labelledby="exercise-title"
      data-testid="exercise"
      data-finished={finished ? 'true' : 'false'}
    >
      <div className="panel-head">
        <h2 id="exercise-title">{t('panel.title')}</h2>
        {/* A live region that changes once: when the time is up. */}
        <span className="exercise-state" role="status" data-tone={finished ? 'done' : 'running'}>
          {finished ? (
            <>
              <span aria-hidden="true">■ </span>
              {t('panel.finalState')}
            </>
          ) : (
            <>
              <span aria-hidden="true">● </span>
              {t('panel.inProgress')}
            </>
          )}
        </span>
      </div>
      <div className="exercise-top">
        <div>
          <div className="exercise-label">
            {finished ? t('panel.finalScore') : t('panel.scoreSoFar')}
          </div>
          <div className="exercise-big num" data-testid="exercise-points">
            {`${round1(ex.points)} / ${round1(ex.maxPoints)}`}
          </div>
          <div className="exercise-label">{t('panel.points')}</div>
        </div>
        <div>
          <div className="exercise-label">{finished ? t('panel.timeUp') : t('panel.timeLeft')}</div>
          <div className="exercise-big num" data-testid="exercise-time-left">
            {clock(left, { round: ceil })}{' '}
            <span className="exercise-of dim">
              {t('panel.of', { total: clock(durationSeconds, { round: ceil }) })}
            </span>
          </div>
          <Progress
            value={elapsedShare}
            color={finished ? palette.neutral : palette.info}
            size="md"
            mt={6}
            transitionDuration={0}
            aria-label={t('panel.elapsedAria', {
              elapsed: clock(Math.min(elapsedSeconds, durationSeconds)),
              total: clock(durationSeconds, { round: ceil }),
            })}
          />
        </div>
      </div>
      <div className="exercise-tables">
        <div className="table-scroll">
          <table className="exercise-table objectives">
            <caption>{t('panel.objectives')}</caption>
            <colgroup>
              <col />
              <col className="c-weight" />
              <col className="c-now" />
              <col className="c-held" />
              <col className="c-points" />
              <col className="c-value" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">{t('panel.col.objective')}</th>
                <th scope="col" className="num">
                  {t('panel.col.weight')}
                </th>
                <th scope="col">{t('panel.col.now')}</th>
                <th scope="col" className="num">
                  {t('panel.col.heldSoFar')}
                </th>
                <th scope="col" className="num">
                  {t('panel.col.points')}
                </th>
                <th scope="col">{t('panel.col.value')}</th>
              </tr>
            </thead>
            <tbody>
              {ex.objectives.length === 0 ? (
                <tr>
                  <td colSpan={6} className="dim">
                    {t('panel.noObjectives')}
                  </td>
                </tr>
              ) : (
                ex.objectives.map((o) => <ObjectiveRow key={o.id} o={o} />)
              )}
            </tbody>
          </table>
        </div>
        <div className="table-scroll">
          <table className="exercise-table response" data-testid="exercise-response">
            <caption>
              {t('panel.response')}{' '}
              <span className="num">{t('panel.fired', { count: r.critical })}</span>
            </caption>
            <colgroup>
              <col className="c-what" />
              <col className="c-done" />
              <col className="c-time" />
              <col className="c-time" />
              <col className="c-time" />
              <col className="c-result" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">{t('panel.col.step')}</th>
                <th scope="col" className="num">
                  {t('panel.col.done')}
                </th>
                <th scope="col" className="num">
                  {t('panel.col.mean')}
                </th>
                <th scope="col" className="num">
                  {t('panel.col.worst')}
                </th>
                <th scope="col" className="num">
                  {t('panel.col.target')}
                </th>
                <th scope="col">{t('panel.col.result')}</th>
              </tr>
            </thead>
            <tbody>
              <ResponseRow
                label={t('panel.acknowledge')}
                testId="response-ack"
                done={r.acknowledged}
                critical={r.critical}
                mean={r.ackMeanSeconds}
                worst={r.ackWorstSeconds}
                target={r.ackTargetSeconds}
                met={r.ackMet}
              />
              <ResponseRow
                label={t('panel.resolve')}
                testId="response-resolve"
                done={r.resolved}
                critical={r.critical}
                mean={r.resolveMeanSeconds}
                worst={r.resolveWorstSeconds}
                target={r.resolveTargetSeconds}
                met={r.resolveMet}
              />
            </tbody>
          </table>
          <p className="legend">{t('panel.legend')}</p>
        </div>
      </div>
      <Briefing />
    </section>
  );
}

/** What the team is told (the scenario's briefing), read once with the cluster's configuration. */
const Briefing = memo(function Briefing({ open = false }: { open?: boolean }) {
  const t = useTranslations('exercise');
  // The reader's language when the scenario wrote the briefing in it, else English.
  const briefing = briefingIn(useClusterConfig()?.exercise?.briefing, useLocale());
  if (!briefing) return null;
  return (
    <details className="exercise-briefing" data-testid="exercise-briefing" open={open}>
      <summary>{t('panel.briefing')}</summary>
      <Markdown text={briefing} />
    </details>
  );
});

/**
 * The exercise's score for the team watching it all exercise long: points, time left, each
 * objective now and so far, and the response to critical alarms. Nothing at all for a cluster
 * that is not an exercise.
 */
export const ExercisePanel = memo(function ExercisePanel() {
  const t = useTranslations('exercise');
  const { feed } = useCluster();
  const ex = useFeedView(feed, (v) => v.frame?.exercise ?? null, null);
  const { exercise } = useStart();
  const waiting = useWaitingText();
  const waitingWords = useWaitingWords();
  if (ex) return <ExerciseView ex={ex} />;
  // Before the instructor starts: say so, once, where the score will be, with the briefing open.
  if (exercise && waiting)
    return (
      <section
        className="panel exercise-panel"
        aria-labelledby="exercise-title"
        data-testid="exercise-waiting"
      >
        <div className="panel-head">
          <h2 id="exercise-title">{t('panel.title')}</h2>
        </div>
        <p className="waiting-banner" role="status">
          <span aria-hidden="true">○ </span>
          {waiting}
        </p>
        <p className="dim">{waitingWords.meanwhile}</p>
        <Briefing open />
      </section>
    );
  return null;
});
