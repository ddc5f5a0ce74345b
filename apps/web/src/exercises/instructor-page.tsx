'use client';

import { useErrorText } from '../i18n/errors';
import { briefingIn, clock, type ExerciseControl, type Scoreboard } from '@overcommit/contracts';
import { Alert, Button, Group, Progress, Select, TextInput } from '@mantine/core';
import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { useState } from 'react';
import { controlExercise, exerciseScoreboard } from '../api';
import { useApiUrl } from '../app-config';
import { usePolledApi } from '../ui/use-polling';
import { ExerciseHead, needsInstructorLink } from './exercise-head';
import { Markdown } from '../ui/markdown';

const SPEEDS = ['0.5', '1', '2', '5', '10'];
const INJECTIONS = ['fail-host', 'recover-host', 'spike'] as const;
type Injection = (typeof INJECTIONS)[number];
/** The target field's example: a name in the bundled exercises, the same in every language. */
const EXAMPLE_TARGET = { vm: 'web-01', host: 'esx-02' } as const;

/** Start, pause, resume, end, speed and injected events: every team's cluster at once. */
function Controls({
  board,
  act,
  busy,
}: {
  board: Scoreboard;
  act: (control: ExerciseControl) => void;
  busy: boolean;
}) {
  const t = useTranslations('exercise');
  const [speed, setSpeed] = useState<string | null>('1');
  const [kind, setKind] = useState<Injection>('fail-host');
  const [target, setTarget] = useState('');
  const ended = board.state === 'ended';
  const inject = () => {
    const to = target.trim();
    if (!to) return;
    act({
      do: 'inject',
      event:
        kind === 'spike'
          ? { do: 'set-workload', target: to, workload: { cpu: 0.95 } }
          : { do: kind, target: to },
    });
  };
  return (
    <section className="panel" aria-labelledby="controls-title" data-testid="exercise-controls">
      <div className="panel-head">
        <h2 id="controls-title">{t('instructor.controls')}</h2>
        <span className="dim">{t('instructor.everyTeam')}</span>
      </div>
      <Group gap="xs" wrap="wrap">
        {board.state === 'ready' ? (
          <Button onClick={() => act({ do: 'start' })} loading={busy} data-testid="exercise-start">
            {t('instructor.start')}
          </Button>
        ) : null}
        {board.state === 'running' ? (
          <Button variant="default" onClick={() => act({ do: 'pause' })} disabled={busy}>
            {t('instructor.pause')}
          </Button>
        ) : null}
        {board.state === 'paused' ? (
          <Button onClick={() => act({ do: 'resume' })} disabled={busy}>
            {t('instructor.resume')}
          </Button>
        ) : null}
        <Button
          variant="default"
          color="red"
          onClick={() => act({ do: 'end' })}
          disabled={busy || ended}
          data-testid="exercise-end"
        >
          {t('instructor.end')}
        </Button>
        <Select
          aria-label={t('instructor.speed')}
          w={100}
          data={SPEEDS.map((s) => ({ value: s, label: `×${s}` }))}
          value={speed}
          onChange={(v) => {
            setSpeed(v);
            if (v) act({ do: 'set-speed', speed: Number(v) });
          }}
          disabled={busy || ended}
          allowDeselect={false}
        />
      </Group>
      <Group gap="xs" mt="sm" wrap="wrap" align="flex-end">
        <Select
          label={t('instructor.inject')}
          w={200}
          data={INJECTIONS.map((i) => ({ value: i, label: t(`instructor.injection.${i}`) }))}
          value={kind}
          onChange={(v) => v && setKind(v)}
          allowDeselect={false}
          disabled={ended}
        />
        <TextInput
          label={kind === 'spike' ? t('instructor.vm') : t('instructor.host')}
          placeholder={kind === 'spike' ? EXAMPLE_TARGET.vm : EXAMPLE_TARGET.host}
          value={target}
          onChange={(e) => setTarget(e.currentTarget.value)}
          disabled={ended}
          data-testid="inject-target"
        />
        <Button onClick={inject} disabled={busy || ended || !target.trim()} data-testid="inject">
          {t('instructor.injectButton')}
        </Button>
      </Group>
    </section>
  );
}

/** The live scoreboard: every team side by side. */
function ScoreboardTable({ board, token }: { board: Scoreboard; token: string }) {
  const t = useTranslations('exercise');
  return (
    <section className="panel" aria-labelledby="scores-title" data-testid="scoreboard">
      <div className="panel-head">
        <h2 id="scores-title">{t('instructor.scoreboard')}</h2>
      </div>
      <div className="table-scroll">
        {/* Chinese words kept whole: a narrow screen scrolls the table instead of stacking characters. */}
        <table className="scoreboard num" style={{ wordBreak: 'keep-all' }}>
          <thead>
            <tr>
              <th scope="col">{t('instructor.col.team')}</th>
              <th scope="col">{t('instructor.col.who')}</th>
              <th scope="col">{t('instructor.col.time')}</th>
              <th scope="col">{t('instructor.col.points')}</th>
              <th scope="col">{t('instructor.col.objectives')}</th>
              <th scope="col">{t('instructor.col.critical')}</th>
              <th scope="col">
                <span className="sr-only">{t('instructor.col.watch')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...board.teams]
              .sort((a, b) => (b.score?.points ?? 0) - (a.score?.points ?? 0))
              .map((team) => {
                const s = team.score;
                const share = s && s.maxPoints > 0 ? (s.points / s.maxPoints) * 100 : 0;
                return (
                  <tr key={team.clusterId} data-testid={`team-${team.team}`}>
                    <th scope="row">{team.team}</th>
                    <td>
                      {team.members.length === 0 ? (
                        <span className="dim">{t('instructor.nobody')}</span>
                      ) : (
                        team.members
                          .map((m) => t('instructor.member', { name: m.name, role: m.role }))
                          .join(', ')
                      )}
                    </td>
                    <td>
                      {s ? `${clock(s.elapsedSeconds)} / ${clock(s.durationSeconds)}` : '0:00'}
                      {team.paused && s && !s.finished ? (
                        <span className="dim">{t('instructor.paused')}</span>
                      ) : null}
                      {s?.finished ? <span>{t('instructor.final')}</span> : null}
                    </td>
                    <td data-testid={`team-points-${team.team}`}>
                      <strong>{s ? s.points : 0}</strong>
                      <span className="dim"> / {s?.maxPoints ?? '–'}</span>
                      <Progress
                        value={share}
                        size="sm"
                        aria-label={t('instructor.pointsAria', {
                          team: team.team,
                          share: share.toFixed(0),
                        })}
                      />
                    </td>
                    <td>
                      {s ? (
                        <ul className="objective-list">
                          {s.objectives.map((o) => (
                            <li key={o.id}>
                              <span aria-hidden="true">{o.holding ? '✓' : '✗'}</span> {o.id}{' '}
                              {o.heldPct}%
                              <span className="sr-only">
                                {o.holding ? t('instructor.holding') : t('instructor.notHolding')}
                              </span>
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="dim">{t('instructor.notStarted')}</span>
                      )}
                    </td>
                    <td>
                      {s
                        ? t('instructor.acks', {
                            acked: s.response.acknowledged,
                            critical: s.response.critical,
                            worst: clock(s.response.ackWorstSeconds),
                          })
                        : '–'}
                    </td>
                    <td>
                      <Link
                        href={`/clusters/${encodeURIComponent(team.clusterId)}?token=${encodeURIComponent(token)}`}
                      >
                        {t('instructor.watch')}
                      </Link>
                    </td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The instructor's page: briefing, controls, live scoreboard, the report's link. */
export function InstructorPage({ exerciseId, token }: { exerciseId: string; token?: string }) {
  const t = useTranslations('exercise');
  const locale = useLocale();
  const apiUrl = useApiUrl();
  const [busy, setBusy] = useState(false);
  const errorText = useErrorText();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const { value: board, error } = usePolledApi(
    () =>
      token ? exerciseScoreboard(apiUrl, exerciseId, token) : needsInstructorLink<Scoreboard>(),
    2_000,
    `${exerciseId}:${token ?? ''}`,
  );
  const act = (control: ExerciseControl) => {
    if (!token) return;
    setBusy(true);
    void controlExercise(apiUrl, exerciseId, token, control).then((r) => {
      setBusy(false);
      if (!r.ok) setMessage({ ok: false, text: errorText(r.error) });
      else {
        const refused = r.value.teams.filter((t) => t.status === 'refused');
        setMessage({
          ok: refused.length === 0,
          text:
            refused.length === 0
              ? t('instructor.done', {
                  action: t(`instructor.action.${control.do}`),
                  count: r.value.teams.length,
                })
              : t('instructor.refused', {
                  action: t(`instructor.action.${control.do}`),
                  teams: refused
                    .map((team) =>
                      t('instructor.refusedTeam', {
                        team: team.team,
                        reason: team.reason ?? t('instructor.noReason'),
                      }),
                    )
                    .join(', '),
                }),
        });
      }
    });
  };
  return (
    <main className="page exercise" data-testid="instructor-page">
      <ExerciseHead
        title={board ? board.name : t('instructor.title')}
        what="exercise"
        error={error}
        lede={
          board ? (
            <>
              <span data-testid="exercise-state" data-state={board.state}>
                {t('state', { state: board.state })}
              </span>{' '}
              ·{' '}
              {t('instructor.lede', {
                teams: board.teams.length,
                duration: clock(board.durationSeconds),
              })}{' '}
              ·{' '}
              <Link
                href={`/exercises/${encodeURIComponent(exerciseId)}/report?token=${encodeURIComponent(token ?? '')}`}
                data-testid="report-link"
              >
                {board.state === 'ended'
                  ? t('instructor.finalReport')
                  : t('instructor.reportSoFar')}
              </Link>
            </>
          ) : null
        }
      />
      {message ? (
        <Alert
          color={message.ok ? 'blue' : 'red'}
          role="status"
          onClose={() => setMessage(null)}
          withCloseButton
        >
          {message.text}
        </Alert>
      ) : null}
      {board ? (
        <>
          {token ? <Controls board={board} act={act} busy={busy} /> : null}
          <ScoreboardTable board={board} token={token ?? ''} />
          {briefingIn(board.briefing, locale) ? (
            <section className="panel" aria-labelledby="briefing-title">
              <details open={board.state === 'ready'}>
                <summary>
                  <h2 id="briefing-title" className="inline-heading">
                    {t('instructor.briefing')}
                  </h2>{' '}
                  <span className="dim">{t('instructor.briefingWhat')}</span>
                </summary>
                <Markdown text={briefingIn(board.briefing, locale)} />
              </details>
            </section>
          ) : null}
        </>
      ) : null}
    </main>
  );
}
