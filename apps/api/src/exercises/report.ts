import {
  briefingLanguages,
  briefingTexts,
  clock,
  type ExerciseReport,
  type Frame,
} from '@overcommit/contracts';

/** Each briefing language's heading in the Markdown report (English's is plain "Briefing"). */
const BRIEFING_HEADINGS: Record<(typeof briefingLanguages)[number], string> = {
  en: 'Briefing',
  'zh-Hans': 'Briefing (简体中文)',
  'zh-Hant': 'Briefing (繁體中文)',
};

/** How many points a team's timeline keeps (sampled evenly from its history). */
export const TIMELINE_POINTS = 240;

/** A team's timeline point from one frame. */
export function reportPoint(frame: Frame): ExerciseReport['teams'][number]['timeline'][number] {
  const c = frame.cluster;
  return {
    tick: frame.tick,
    time: frame.time,
    points: frame.exercise?.points ?? 0,
    cpuReadyPct: c.cpuReadyPct,
    cpuUsagePct: c.cpuUsagePct,
    balloonMiB: c.balloonMiB,
    swapUsedMiB: c.swapUsedMiB,
    vmsRunning: c.vmsRunning,
    hostsUp: c.hostsUp,
    criticalAlarms: c.alarms.critical,
  };
}

/** People's commands in a frame, with their outcome (scenario events and HA are not commands). */
export function reportCommands(frame: Frame): ExerciseReport['teams'][number]['commands'] {
  return frame.events
    .filter(
      (e) =>
        e.commandId !== undefined &&
        (e.type === 'command-accepted' || e.type === 'command-refused'),
    )
    .map((e) => ({
      time: e.time,
      tick: frame.tick,
      by: e.by,
      do: typeof e['do'] === 'string' ? e['do'] : '?',
      target: e.target,
      outcome: e.type === 'command-accepted' ? ('accepted' as const) : ('refused' as const),
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.reasonCode !== undefined ? { reasonCode: e.reasonCode } : {}),
      ...(e.reasonParams !== undefined ? { reasonParams: e.reasonParams } : {}),
      ...(e.reasonCauses !== undefined ? { reasonCauses: e.reasonCauses } : {}),
    }));
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report as Markdown: the same content as the JSON, for reading and pasting. */
export function reportMarkdown(report: ExerciseReport): string {
  const lines: string[] = [
    `# After-action report: ${report.name}`,
    '',
    `Exercise \`${report.id}\`, ${report.state}; ${Math.round(report.durationSeconds / 60)} simulated minutes; generated ${new Date(report.generatedAt).toISOString()}.`,
    '',
  ];
  // The report is English; the briefing is given in every language the scenario wrote it in.
  const briefings = briefingTexts(report.briefing) as Partial<Record<string, string>>;
  for (const language of briefingLanguages) {
    const text = briefings[language]?.trim();
    if (text) lines.push(`## ${BRIEFING_HEADINGS[language]}`, '', text, '');
  }
  lines.push(
    '## Scores',
    '',
    '| team | points | of | critical alarms | worst ack | worst resolve |',
  );
  lines.push('| ---- | -----: | -: | --------------: | --------: | ------------: |');
  for (const t of report.teams) {
    const s = t.score;
    lines.push(
      `| ${cell(t.team)} | ${s?.points ?? 0} | ${s?.maxPoints ?? 0} | ${s?.response.critical ?? 0} | ${clock(s?.response.ackWorstSeconds ?? null)} | ${clock(s?.response.resolveWorstSeconds ?? null)} |`,
    );
  }
  lines.push('');
  for (const t of report.teams) {
    lines.push(`## ${t.team}`, '');
    if (t.score) {
      lines.push(
        '| objective | weight | held | points | now |',
        '| --------- | -----: | ---: | -----: | --- |',
      );
      for (const o of t.score.objectives)
        lines.push(
          `| ${cell(o.text)} | ${o.weight} | ${o.heldPct}% | ${o.points} | ${o.holding ? 'holding' : 'not holding'}${o.violations ? `, ${o.violations} forbidden command(s)` : ''} |`,
        );
      const r = t.score.response;
      lines.push(
        '',
        `Critical alarms: ${r.critical}, acknowledged ${r.acknowledged} (mean ${clock(r.ackMeanSeconds)}, worst ${clock(r.ackWorstSeconds)}, target ${clock(r.ackTargetSeconds)}: ${r.ackMet ? 'met' : 'missed'}), resolved ${r.resolved} (mean ${clock(r.resolveMeanSeconds)}, worst ${clock(r.resolveWorstSeconds)}, target ${clock(r.resolveTargetSeconds)}: ${r.resolveMet ? 'met' : 'missed'}).`,
        '',
      );
    }
    lines.push('### Alarms', '');
    if (t.alarms.length === 0) lines.push('No critical alarm fired.', '');
    else {
      lines.push(
        '| fired | alarm | acknowledged | by | note | resolved |',
        '| ----: | ----- | -----------: | -- | ---- | -------: |',
      );
      for (const a of t.alarms)
        lines.push(
          `| ${clock(a.firedAt)} | ${cell(`${a.rule} on ${a.target}`)} | ${clock(a.ackedAt)} | ${cell(a.ackedBy ?? '–')} | ${cell(a.ackNote || '–')} | ${clock(a.resolvedAt)} |`,
        );
      lines.push('');
    }
    lines.push('### Commands', '');
    if (t.commands.length === 0) lines.push('No command was sent.', '');
    else {
      lines.push(
        '| at | by | command | target | outcome |',
        '| -: | -- | ------- | ------ | ------- |',
      );
      for (const c of t.commands)
        lines.push(
          `| ${clock(c.time)} | ${cell(c.by)} | ${c.do} | ${cell(c.target)} | ${c.outcome}${c.reason ? `: ${cell(c.reason)}` : ''} |`,
        );
      lines.push('');
    }
    if (t.timeline.length > 0) {
      lines.push(
        '### Timeline',
        '',
        '| time | points | CPU ready % | swapped MiB | VMs running | critical alarms |',
        '| ---: | -----: | ----------: | ----------: | ----------: | --------------: |',
      );
      const step = Math.max(1, Math.ceil(t.timeline.length / 20));
      for (const p of t.timeline.filter((_, i) => i % step === 0 || i === t.timeline.length - 1))
        lines.push(
          `| ${clock(p.time)} | ${p.points} | ${p.cpuReadyPct} | ${p.swapUsedMiB} | ${p.vmsRunning} | ${p.criticalAlarms} |`,
        );
      lines.push('');
    }
  }
  return lines.join('\n');
}
