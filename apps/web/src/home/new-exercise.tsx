'use client';

import type { CreateExerciseResponse } from '@overcommit/contracts';
import {
  Alert,
  Button,
  Group,
  List,
  NumberInput,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { type ApiError, createExercise, listScenarios, type ScenarioInfo } from '../api';
import { useApiUrl } from '../app-config';
import { LinkRow, pathOf } from './new-cluster';

/**
 * "New exercise", for an instructor: a bundled exercise for N teams (or named teams); after it, the
 * instructor's link and each team's operator and viewer links.
 */
export function NewExercise() {
  const apiUrl = useApiUrl();
  const [exercises, setExercises] = useState<ScenarioInfo[] | null>(null);
  const [scenarioName, setScenarioName] = useState<string | null>(null);
  const [teams, setTeams] = useState<number>(2);
  const [names, setNames] = useState('');
  const [busy, setBusy] = useState(false);
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
        <h2 id="new-exercise-title">New exercise</h2>
      </div>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Every team gets its own copy of the same troubled cluster. You start them together, watch
          the scores side by side and read the after-action report at the end.
        </Text>
        {exercises === null && !error ? <Text size="sm">loading the exercises…</Text> : null}
        {exercises !== null && exercises.length === 0 ? (
          <Text size="sm">No bundled exercise (scenarios/exercises/ is empty).</Text>
        ) : null}
        {exercises && exercises.length > 0 ? (
          <>
            <Select
              label="Exercise"
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
                label="Teams"
                min={1}
                max={20}
                value={teams}
                onChange={(v) => setTeams(typeof v === 'number' ? v : Number(v) || 1)}
                disabled={teamNames.length > 0}
                data-testid="exercise-teams"
              />
              <TextInput
                label="or team names, comma-separated"
                placeholder="Red, Blue, Green"
                value={names}
                onChange={(e) => setNames(e.currentTarget.value)}
                data-testid="exercise-team-names"
              />
            </Group>
            <Group>
              <Button onClick={() => void create()} loading={busy} data-testid="create-exercise">
                Create the exercise
              </Button>
            </Group>
          </>
        ) : null}
        {error ? (
          <Alert color="red" title="Not created" role="alert">
            {error.message}
            {error.errors?.length ? (
              <List size="sm">
                {error.errors.map((e) => (
                  <List.Item key={`${e.path}:${e.message}`}>
                    <code>{e.path}</code>: {e.message}
                  </List.Item>
                ))}
              </List>
            ) : null}
          </Alert>
        ) : null}
        {created ? (
          <Stack gap="xs" data-testid="exercise-created">
            <Text>
              <strong>{created.name}</strong> is ready for {created.teams.length} teams, paused
              until you start it from{' '}
              <Link href={pathOf(created.instructorLink)} data-testid="instructor-link">
                the instructor&apos;s page
              </Link>
              . Keep the instructor link to yourself; give each team its operator link.
            </Text>
            <LinkRow label="Instructor link" url={created.instructorLink} testId="instructor-url" />
            {created.teams.map((t) => (
              <Stack key={t.clusterId} gap={4} data-testid={`team-links-${t.team}`}>
                <LinkRow
                  label={`${t.team}: operator link`}
                  url={t.operatorLink}
                  testId={`team-operator-${t.team}`}
                />
                <LinkRow
                  label={`${t.team}: viewer link`}
                  url={t.viewerLink}
                  testId={`team-viewer-${t.team}`}
                />
              </Stack>
            ))}
          </Stack>
        ) : null}
      </Stack>
    </section>
  );
}
