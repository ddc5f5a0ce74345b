'use client';

import { clock, type ExerciseReport } from '@overcommit/contracts';
import { Button, Group } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useRef } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { exerciseReport, exerciseReportMarkdown } from '../api';
import { eventReason, useReasonText } from '../i18n/reasons';
import { useApiUrl } from '../app-config';
import { usePolledApi } from '../ui/use-polling';
import { palette } from '../ui/format';
import { ExerciseHead, needsInstructorLink } from './exercise-head';

type TeamReport = ExerciseReport['teams'][number];

/** Column headings keep Chinese words whole (权重, not 权 over 重). */
const KEEP_WORDS = { wordBreak: 'keep-all' } as const;

/** Points and CPU ready over the exercise, critical alarms (▲) and commands (●) marked where they happened. */
function Timeline({ team }: { team: TeamReport }) {
  const t = useTranslations('exercise');
  const max = team.score?.maxPoints ?? 100;
  return (
    <div className="report-chart" data-testid={`report-chart-${team.team}`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={team.timeline} margin={{ top: 16, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
          <XAxis
            dataKey="time"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(t: number) => clock(t)}
          />
          <YAxis yAxisId="points" domain={[0, max]} width={40} />
          <YAxis yAxisId="ready" orientation="right" domain={[0, 'auto']} width={40} unit="%" />
          <Tooltip isAnimationActive={false} labelFormatter={(t) => `t=${clock(Number(t))}`} />
          <Legend />
          {team.alarms.map((a) => (
            <ReferenceLine
              key={`alarm-${a.id}`}
              yAxisId="points"
              x={a.firedAt}
              stroke={palette.critical}
              strokeDasharray="4 3"
              label={{ value: `▲ ${a.rule}`, fontSize: 10, position: 'top' }}
            />
          ))}
          {team.commands.map((c, i) => (
            <ReferenceLine
              key={`command-${i}`}
              yAxisId="points"
              x={c.time}
              stroke={palette.info}
              strokeOpacity={0.6}
              label={{ value: `● ${c.do}`, fontSize: 10, position: 'insideBottomLeft' }}
            />
          ))}
          <Line
            yAxisId="points"
            dataKey="points"
            name={t('report.points')}
            stroke={palette.ok}
            dot={false}
            isAnimationActive={false}
            strokeWidth={2}
          />
          <Line
            yAxisId="ready"
            dataKey="cpuReadyPct"
            name={t('report.cpuReady')}
            stroke={palette.critical}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function TeamSection({ team }: { team: TeamReport }) {
  const t = useTranslations('exercise');
  const reasonText = useReasonText();
  const s = team.score;
  return (
    <section
      className="panel report-team"
      aria-labelledby={`team-${team.clusterId}`}
      data-testid={`report-team-${team.team}`}
    >
      <div className="panel-head">
        <h2 id={`team-${team.clusterId}`}>{team.team}</h2>
        <span className="num" data-testid={`report-points-${team.team}`}>
          {s ? `${s.points} / ${s.maxPoints}` : t('report.notStarted')}
        </span>
      </div>
      <Timeline team={team} />
      {s ? (
        <table className="report-table num">
          <caption className="sr-only">{t('report.objectives')}</caption>
          <thead style={KEEP_WORDS}>
            <tr>
              <th scope="col">{t('report.col.objective')}</th>
              <th scope="col">{t('report.col.weight')}</th>
              <th scope="col">{t('report.col.held')}</th>
              <th scope="col">{t('report.col.points')}</th>
              <th scope="col">{t('report.col.atEnd')}</th>
            </tr>
          </thead>
          <tbody>
            {s.objectives.map((o) => (
              <tr key={o.id}>
                <th scope="row">{o.text}</th>
                <td>{o.weight}</td>
                <td>{o.heldPct}%</td>
                <td>{o.points}</td>
                <td>
                  {o.holding ? t('report.holding') : t('report.notHolding')}
                  {o.violations > 0 ? t('report.violations', { count: o.violations }) : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {s ? (
        <p>
          {t('report.response', {
            critical: s.response.critical,
            acked: s.response.acknowledged,
            ackMean: clock(s.response.ackMeanSeconds),
            ackWorst: clock(s.response.ackWorstSeconds),
            ackTarget: clock(s.response.ackTargetSeconds),
            ackMet: s.response.ackMet ? 'yes' : 'no',
            resolved: s.response.resolved,
            resolveMean: clock(s.response.resolveMeanSeconds),
            resolveWorst: clock(s.response.resolveWorstSeconds),
            resolveTarget: clock(s.response.resolveTargetSeconds),
            resolveMet: s.response.resolveMet ? 'yes' : 'no',
          })}
        </p>
      ) : null}
      <h3>{t('report.alarms')}</h3>
      {team.alarms.length === 0 ? (
        <p className="dim">{t('report.noAlarm')}</p>
      ) : (
        <table className="report-table num" data-testid={`report-alarms-${team.team}`}>
          <thead style={KEEP_WORDS}>
            <tr>
              <th scope="col">{t('report.col.fired')}</th>
              <th scope="col">{t('report.col.alarm')}</th>
              <th scope="col">{t('report.col.acknowledged')}</th>
              <th scope="col">{t('report.col.by')}</th>
              <th scope="col">{t('report.col.note')}</th>
              <th scope="col">{t('report.col.resolved')}</th>
            </tr>
          </thead>
          <tbody>
            {team.alarms.map((a) => (
              <tr key={a.id}>
                <td>{clock(a.firedAt)}</td>
                <td>{t('report.alarmOn', { rule: a.rule, target: a.target })}</td>
                <td>{clock(a.ackedAt)}</td>
                <td>{a.ackedBy ?? '–'}</td>
                <td>{a.ackNote || '–'}</td>
                <td>{clock(a.resolvedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('report.commands')}</h3>
      {team.commands.length === 0 ? (
        <p className="dim">{t('report.noCommand')}</p>
      ) : (
        <table className="report-table num" data-testid={`report-commands-${team.team}`}>
          <thead style={KEEP_WORDS}>
            <tr>
              <th scope="col">{t('report.col.at')}</th>
              <th scope="col">{t('report.col.by')}</th>
              <th scope="col">{t('report.col.command')}</th>
              <th scope="col">{t('report.col.target')}</th>
              <th scope="col">{t('report.col.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {team.commands.map((c, i) => (
              <tr key={i}>
                <td>{clock(c.time)}</td>
                <td>{c.by}</td>
                <td>● {c.do}</td>
                <td>{c.target}</td>
                <td>
                  {c.outcome === 'accepted' ? t('report.accepted') : t('report.refused')}
                  {c.reason ? `: ${reasonText(eventReason(c))}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** `text` with the last `find` replaced (a team's section comes after the summary's headings). */
function replaceLast(text: string, find: string, replacement: string): string {
  const at = text.lastIndexOf(find);
  return at < 0 ? text : text.slice(0, at) + replacement + text.slice(at + find.length);
}

/** Saves text as a file the browser downloads. */
function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Each team's timeline chart as an SVG data URI, for the Markdown download (where the browser drew it). */
function chartImages(root: HTMLElement | null): Map<string, string> {
  const images = new Map<string, string>();
  for (const box of root?.querySelectorAll<HTMLElement>('[data-testid^="report-chart-"]') ?? []) {
    const svg = box.querySelector('svg');
    if (!svg) continue;
    const clone = svg.cloneNode(true) as SVGElement;
    clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    const text = new XMLSerializer().serializeToString(clone);
    images.set(
      box.dataset['testid']!.slice('report-chart-'.length),
      `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(text)))}`,
    );
  }
  return images;
}

/** The after-action report: per team the timeline, objectives, alarms and commands; JSON and Markdown. */
export function ReportPage({ exerciseId, token }: { exerciseId: string; token?: string }) {
  const t = useTranslations('exercise');
  const apiUrl = useApiUrl();
  const root = useRef<HTMLDivElement>(null);
  const { value: report, error } = usePolledApi(
    () =>
      token ? exerciseReport(apiUrl, exerciseId, token) : needsInstructorLink<ExerciseReport>(),
    15_000,
    `${exerciseId}:${token ?? ''}`,
  );
  const downloadMarkdown = async () => {
    if (!token || !report) return;
    const r = await exerciseReportMarkdown(apiUrl, exerciseId, token);
    if (!r.ok) return;
    let text = r.value;
    for (const [team, uri] of chartImages(root.current))
      text = replaceLast(
        text,
        `\n## ${team}\n`,
        `\n## ${team}\n\n![${t('report.chartAlt', { team })}](${uri})\n`,
      );
    download(`exercise-${exerciseId}.md`, 'text/markdown', text);
  };
  return (
    <main className="page exercise" data-testid="report-page" ref={root}>
      <ExerciseHead
        title={report ? t('report.titleOf', { name: report.name }) : t('report.title')}
        what="report"
        error={error}
        lede={
          report ? (
            <>
              <span data-testid="report-state">{t('state', { state: report.state })}</span> ·{' '}
              {t('report.lede', { teams: report.teams.length })} ·{' '}
              <Link
                href={`/exercises/${encodeURIComponent(exerciseId)}?token=${encodeURIComponent(token ?? '')}`}
              >
                {t('report.scoreboard')}
              </Link>
            </>
          ) : null
        }
      />
      {report ? (
        <>
          <Group>
            <Button
              variant="default"
              onClick={() =>
                download(
                  `exercise-${exerciseId}.json`,
                  'application/json',
                  JSON.stringify(report, null, 2),
                )
              }
              data-testid="download-json"
            >
              {t('report.downloadJson')}
            </Button>
            <Button
              variant="default"
              onClick={() => void downloadMarkdown()}
              data-testid="download-markdown"
            >
              {t('report.downloadMarkdown')}
            </Button>
          </Group>
          {report.state !== 'ended' ? <p className="dim">{t('report.soFar')}</p> : null}
          {report.teams.map((t) => (
            <TeamSection key={t.clusterId} team={t} />
          ))}
        </>
      ) : null}
    </main>
  );
}
