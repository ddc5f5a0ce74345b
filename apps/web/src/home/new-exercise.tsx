'use client';

import { useErrorText } from '../i18n/errors';
import { InputErrorsAlert } from '../ui/input-errors';
import type { CreateExerciseResponse } from '@overcommit/contracts';
import { Button, Group, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { type ApiError, createExercise, listScenarios, type ScenarioInfo } from '../api';
import { useApiUrl } from '../app-config';
import { LinkRow, pathOf } from './new-cluster';

/**
 * "New exercise", for an instructor: a bundled exercise for N teams (or named teams); after it, the
 * instructor's link and each team's operator and viewer links.
 */
export function NewExercise() {
  const t = useTranslations('home');
  const apiUrl = useApiUrl();
  const [exercises, setExercises] = useState<ScenarioInfo[] | null>(null);
  const [scenarioName, setScenarioName] = useState<string | null>(null);
  const [teams, setTeams] = useState<number>(2);
  const [names, setNames] = useState('');
  const [busy, setBusy] = useState(false);
  const errorText = useErrorText();
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<CreateExerciseResponse | null>(null);
  useEffect(() => {
    void listScenarios(apiUrl).then((r) => {
      if (r.ok) {
        const list = r.value.filter((s) => s.exercise);
        setExercises(list);
        setScenarioName((n) => n ?? list[0]?.name ?? null);
      } else setError(r.error);
    });
  }, [apiUrl]);
  const chosen = exercises?.find((s) => s.name === scenarioName);
  const teamNames = names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const create = async () => {
    if (!scenarioName) return;
    setBusy(true);
    setError(null);
    const r = await createExercise(apiUrl, {
      scenarioName,
      teams: teamNames.length > 0 ? teamNames : teams,
    });
    setBusy(false);
    if (r.ok) setCreated(r.value);
    else setError(r.error);
  };
  return (
    <section className="panel" aria-labelledby="new-exercise-title" data-testid="new-exercise">
      <div className="panel-head">
        <h2 id="new-exercise-title">{t('newExercise.title')}</h2>
      </div>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('newExercise.intro')}
        </Text>
        {exercises === null && !error ? <Text size="sm">{t('newExercise.loading')}</Text> : null}
        {exercises !== null && exercises.length === 0 ? (
          <Text size="sm">{t('newExercise.none')}</Text>
        ) : null}
        {exercises && exercises.length > 0 ? (
          <>
            <Select
              label={t('newExercise.exercise')}
              data={exercises.map((s) => ({ value: s.name, label: s.title ?? s.name }))}
              value={scenarioName}
              onChange={setScenarioName}
              allowDeselect={false}
              data-testid="exercise-scenario"
            />
            {chosen?.description ? (
              <Text size="sm" c="dimmed">
                {chosen.description}
              </Text>
            ) : null}
            <Group grow align="flex-start">
              <NumberInput
                label={t('newExercise.teams')}
                min={1}
                max={20}
                value={teams}
                onChange={(v) => setTeams(typeof v === 'number' ? v : Number(v) || 1)}
                disabled={teamNames.length > 0}
                data-testid="exercise-teams"
              />
              <TextInput
                label={t('newExercise.teamNames')}
                placeholder={t('newExercise.teamNamesExample')}
                value={names}
                onChange={(e) => setNames(e.currentTarget.value)}
                data-testid="exercise-team-names"
              />
            </Group>
            <Group>
              <Button onClick={() => void create()} loading={busy} data-testid="create-exercise">
                {t('newExercise.submit')}
              </Button>
            </Group>
          </>
        ) : null}
        {error ? (
          <InputErrorsAlert
            title={t('newExercise.notCreated')}
            message={errorText(error)}
            errors={error.errors}
          />
        ) : null}
        {created ? (
          <Stack gap="xs" data-testid="exercise-created">
            <Text>
              {t.rich('newExercise.ready', {
                name: created.name,
                count: created.teams.length,
                b: (chunks) => <strong>{chunks}</strong>,
                link: (chunks) => (
                  <Link href={pathOf(created.instructorLink)} data-testid="instructor-link">
                    {chunks}
                  </Link>
                ),
              })}
            </Text>
            <LinkRow
              label={t('newExercise.instructorLink')}
              url={created.instructorLink}
              testId="instructor-url"
            />
            {created.teams.map((team) => (
              <Stack key={team.clusterId} gap={4} data-testid={`team-links-${team.team}`}>
                <LinkRow
                  label={t('newExercise.teamOperatorLink', { team: team.team })}
                  url={team.operatorLink}
                  testId={`team-operator-${team.team}`}
                />
                <LinkRow
                  label={t('newExercise.teamViewerLink', { team: team.team })}
                  url={team.viewerLink}
                  testId={`team-viewer-${team.team}`}
                />
              </Stack>
            ))}
          </Stack>
        ) : null}
      </Stack>
    </section>
  );
}
