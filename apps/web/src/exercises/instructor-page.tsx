'use client';

import { clock, type ExerciseControl, type Scoreboard } from '@overcommit/contracts';
import { Alert, Button, Group, Progress, Select, TextInput } from '@mantine/core';
import Link from 'next/link';
import { useState } from 'react';
import { controlExercise, exerciseScoreboard } from '../api';
import { useApiUrl } from '../app-config';
import { usePolledApi } from '../ui/use-polling';
import { ExerciseHead, needsInstructorLink } from './exercise-head';
import { Markdown } from '../ui/markdown';

const SPEEDS = ['0.5', '1', '2', '5', '10'];
const INJECTIONS = [
  { value: 'fail-host', label: 'fail a host' },
  { value: 'recover-host', label: 'recover a host' },
  { value: 'spike', label: 'spike a VM’s workload' },
] as const;
type Injection = (typeof INJECTIONS)[number]['value'];

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
  const [speed, setSpeed] = useState<string | null>('1');
  const [kind, setKind] = useState<Injection>('fail-host');
  const [target, setTarget] = useState('');
  const ended = board.state === 'ended';
  const inject = () => {
    const t = target.trim();
    if (!t) return;
    act({
      do: 'inject',
      event:
        kind === 'spike'
          ? { do: 'set-workload', target: t, workload: { cpu: 0.95 } }
          : { do: kind, target: t },
    });
  };
  return (
    <section className="panel" aria-labelledby="controls-title" data-testid="exercise-controls">
      <div className="panel-head">
        <h2 id="controls-title">Controls</h2>
        <span className="dim">for every team at once</span>
      </div>
      <Group gap="xs" wrap="wrap">
        {board.state === 'ready' ? (
          <Button onClick={() => act({ do: 'start' })} loading={busy} data-testid="exercise-start">
            ▶ Start
          </Button>
        ) : null}
        {board.state === 'running' ? (
          <Button variant="default" onClick={() => act({ do: 'pause' })} disabled={busy}>
            ❚❚ Pause
          </Button>
        ) : null}
        {board.state === 'paused' ? (
          <Button onClick={() => act({ do: 'resume' })} disabled={busy}>
            ▶ Resume
          </Button>
        ) : null}
        <Button
          variant="default"
          color="red"
          onClick={() => act({ do: 'end' })}
          disabled={busy || ended}
          data-testid="exercise-end"
        >
          ■ End
        </Button>
        <Select
          aria-label="Speed"
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
          label="Inject an event"
          w={200}
          data={INJECTIONS.map((i) => ({ value: i.value, label: i.label }))}
          value={kind}
          onChange={(v) => v && setKind(v)}
          allowDeselect={false}
          disabled={ended}
        />
        <TextInput
          label={kind === 'spike' ? 'VM' : 'host'}
          placeholder={kind === 'spike' ? 'web-01' : 'esx-02'}
          value={target}
          onChange={(e) => setTarget(e.currentTarget.value)}
          disabled={ended}
          data-testid="inject-target"
        />
        <Button onClick={inject} disabled={busy || ended || !target.trim()} data-testid="inject">
          Inject into every team
        </Button>
      </Group>
    </section>
  );
}

/** The live scoreboard: every team side by side. */
function ScoreboardTable({ board, token }: { board: Scoreboard; token: string }) {
  return (
    <section className="panel" aria-labelledby="scores-title" data-testid="scoreboard">
      <div className="panel-head">
        <h2 id="scores-title">Scoreboard</h2>
      </div>
      <div className="table-scroll">
        <table className="scoreboard num">
          <thead>
            <tr>
              <th scope="col">team</th>
              <th scope="col">who</th>
              <th scope="col">time</th>
              <th scope="col">points</th>
              <th scope="col">objectives (held)</th>
              <th scope="col">critical alarms</th>
              <th scope="col">
                <span className="sr-only">watch</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...board.teams]
              .sort((a, b) => (b.score?.points ?? 0) - (a.score?.points ?? 0))
              .map((t) => {
                const s = t.score;
                const share = s && s.maxPoints > 0 ? (s.points / s.maxPoints) * 100 : 0;
                return (
                  <tr key={t.clusterId} data-testid={`team-${t.team}`}>
                    <th scope="row">{t.team}</th>
                    <td>
                      {t.members.length === 0 ? (
                        <span className="dim">nobody yet</span>
                      ) : (
                        t.members
                          .map((m) => `${m.name}${m.role === 'operator' ? '' : ' (viewer)'}`)
                          .join(', ')
                      )}
                    </td>
                    <td>
                      {s ? `${clock(s.elapsedSeconds)} / ${clock(s.durationSeconds)}` : '0:00'}
                      {t.paused && s && !s.finished ? <span className="dim"> · paused</span> : null}
                      {s?.finished ? <span> · final</span> : null}
                    </td>
                    <td data-testid={`team-points-${t.team}`}>
                      <strong>{s ? s.points : 0}</strong>
                      <span className="dim"> / {s?.maxPoints ?? '–'}</span>
                      <Progress
                        value={share}
                        size="sm"
                        aria-label={`${t.team}: ${share.toFixed(0)}% of the points`}
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
                                {o.holding ? ' holding' : ' not holding'}
                              </span>
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="dim">not started</span>
                      )}
                    </td>
                    <td>
                      {s
                        ? `${s.response.acknowledged}/${s.response.critical} acknowledged, worst ${clock(s.response.ackWorstSeconds)}`
                        : '–'}
                    </td>
                    <td>
                      <Link
                        href={`/clusters/${encodeURIComponent(t.clusterId)}?token=${encodeURIComponent(token)}`}
                      >
                        watch
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
  const apiUrl = useApiUrl();
  const [busy, setBusy] = useState(false);
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
      if (!r.ok) setMessage({ ok: false, text: r.error.message });
      else {
        const refused = r.value.teams.filter((t) => t.status === 'refused');
        setMessage({
          ok: refused.length === 0,
          text:
            refused.length === 0
              ? `${control.do}: done for ${r.value.teams.length} teams`
              : `${control.do}: refused for ${refused.map((t) => `${t.team} (${t.reason ?? 'no reason'})`).join(', ')}`,
        });
      }
    });
  };
  return (
    <main className="page exercise" data-testid="instructor-page">
      <ExerciseHead
        title={board ? board.name : 'Exercise'}
        what="exercise"
        error={error}
        lede={
          board ? (
            <>
              <span data-testid="exercise-state" data-state={board.state}>
                {board.state}
              </span>{' '}
              · {board.teams.length} teams · {clock(board.durationSeconds)} simulated ·{' '}
              <Link
                href={`/exercises/${encodeURIComponent(exerciseId)}/report?token=${encodeURIComponent(token ?? '')}`}
                data-testid="report-link"
              >
                {board.state === 'ended' ? 'the after-action report' : 'the report so far'}
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
          {board.briefing ? (
            <section className="panel" aria-labelledby="briefing-title">
              <details open={board.state === 'ready'}>
                <summary>
                  <h2 id="briefing-title" className="inline-heading">
                    Briefing
                  </h2>{' '}
                  <span className="dim">(what the teams are told)</span>
                </summary>
                <Markdown text={board.briefing} />
              </details>
            </section>
          ) : null}
        </>
      ) : null}
    </main>
  );
}
