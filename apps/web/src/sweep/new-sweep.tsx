'use client';

import { DEFAULT_SWEEP_OBJECTIVES } from '@overcommit/contracts';
import {
  Button,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { type ApiError, listScenarios, type ScenarioInfo } from '../api';
import { useApiUrl } from '../app-config';
import { pathOf } from '../home/new-cluster';
import { useErrorText } from '../i18n/errors';
import { InputErrorsAlert } from '../ui/input-errors';
import { PageSettings } from '../ui/language-switch';
import { createSweep, type SweepSource } from './sweep-api';

type Axis = 'default' | 'both' | 'a' | 'b';

/** The request's hyper-threading or placement axis from the form's choice. */
function axis<T extends string>(choice: Axis, a: T, b: T): T[] | undefined {
  if (choice === 'default') return undefined;
  if (choice === 'both') return [a, b];
  return [choice === 'a' ? a : b];
}

/** `/sweeps/new`: what to sweep, the grid, minutes, price and objectives; POSTs and opens the sweep. */
export function NewSweep({ clusterId, token }: { clusterId?: string; token?: string }) {
  const t = useTranslations('sweep');
  const apiUrl = useApiUrl();
  const router = useRouter();
  const errorText = useErrorText();
  const [scenarios, setScenarios] = useState<ScenarioInfo[] | null>(null);
  const [source, setSource] = useState<'bundled' | 'yaml' | 'cluster'>(
    clusterId ? 'cluster' : 'bundled',
  );
  const [scenarioName, setScenarioName] = useState<string | null>(null);
  const [yaml, setYaml] = useState('');
  const [cpu, setCpu] = useState('1:3:0.5');
  const [ram, setRam] = useState('1:1.5:0.25');
  const [minutes, setMinutes] = useState<number | string>(10);
  const [ht, setHt] = useState<Axis>('default');
  const [placement, setPlacement] = useState<Axis>('default');
  const [price, setPrice] = useState<number | string>('');
  const [p95, setP95] = useState<number | string>(DEFAULT_SWEEP_OBJECTIVES.p95ReadyBelowPct);
  const [swapIn, setSwapIn] = useState<number | string>(DEFAULT_SWEEP_OBJECTIVES.swapInAtMostMiB);
  const [worst, setWorst] = useState<number | string>(
    DEFAULT_SWEEP_OBJECTIVES.worstPerformanceAbovePct,
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    void listScenarios(apiUrl).then((r) => {
      if (r.ok) {
        const plain = r.value.filter((s) => !s.exercise);
        setScenarios(plain);
        setScenarioName((n) => n ?? plain[0]?.name ?? null);
      } else setError(r.error);
    });
  }, [apiUrl]);

  const num = (v: number | string) => (typeof v === 'number' ? v : Number(v));
  const submit = () => {
    const what: SweepSource =
      source === 'cluster' && clusterId
        ? { clusterId, ...(token ? { token } : {}) }
        : source === 'yaml'
          ? { scenario: yaml }
          : { scenarioName: scenarioName ?? '' };
    const request = {
      cpu,
      ram,
      minutes: num(minutes),
      ...(axis(ht, 'on', 'off') ? { hyperThreading: axis(ht, 'on', 'off') } : {}),
      ...(axis(placement, 'spread', 'pack')
        ? { placement: axis(placement, 'spread', 'pack') }
        : {}),
      ...(price !== '' ? { hostPriceUsd: num(price) } : {}),
      objectives: {
        p95ReadyBelowPct: num(p95),
        swapInAtMostMiB: num(swapIn),
        worstPerformanceAbovePct: num(worst),
      },
    };
    setBusy(true);
    setError(null);
    void createSweep(apiUrl, { ...what, request, visibility: 'private' } as never).then((r) => {
      if (r.ok) router.push(pathOf(r.value.link));
      else {
        setBusy(false);
        setError(r.error);
      }
    });
  };

  const axisData = (a: string, b: string) => [
    { value: 'default', label: t('form.axisDefault') },
    { value: 'a', label: a },
    { value: 'b', label: b },
    { value: 'both', label: t('form.axisBoth') },
  ];
  return (
    <main className="page sweep-page">
      <header className="home-head">
        <h1>{t('form.title')}</h1>
        <p className="lede">
          {t('form.lede')} <Link href="/">{t('form.back')}</Link>
        </p>
        <PageSettings />
      </header>
      <section className="panel" data-testid="new-sweep">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Stack gap="sm">
            <SegmentedControl
              value={source}
              onChange={(v) => setSource(v as typeof source)}
              styles={{ label: { whiteSpace: 'normal' } }}
              aria-label={t('form.source')}
              data={[
                { value: 'bundled', label: t('form.bundled') },
                { value: 'yaml', label: t('form.yaml') },
                ...(clusterId ? [{ value: 'cluster', label: t('form.cluster') }] : []),
              ]}
            />
            {source === 'bundled' ? (
              <Select
                label={t('form.scenario')}
                data={(scenarios ?? []).map((s) => ({ value: s.name, label: s.title ?? s.name }))}
                value={scenarioName}
                onChange={setScenarioName}
                allowDeselect={false}
                data-testid="sweep-scenario"
              />
            ) : source === 'yaml' ? (
              <Textarea
                label={t('form.yamlLabel')}
                value={yaml}
                onChange={(e) => setYaml(e.currentTarget.value)}
                autosize
                minRows={6}
                maxRows={20}
                data-testid="sweep-yaml"
                styles={{
                  input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 },
                }}
              />
            ) : (
              <Text size="sm">{t('form.clusterNote', { id: clusterId ?? '' })}</Text>
            )}
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput
                label={t('form.cpu')}
                description={t('form.rangeHint')}
                value={cpu}
                onChange={(e) => setCpu(e.currentTarget.value)}
                data-testid="sweep-cpu"
              />
              <TextInput
                label={t('form.ram')}
                description={t('form.rangeHint')}
                value={ram}
                onChange={(e) => setRam(e.currentTarget.value)}
                data-testid="sweep-ram"
              />
              <NumberInput
                label={t('form.minutes')}
                value={minutes}
                onChange={setMinutes}
                min={1}
                data-testid="sweep-minutes"
              />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Stack gap={4}>
                <Text size="sm" fw={500}>
                  {t('form.hyperThreading')}
                </Text>
                <SegmentedControl
                  value={ht}
                  onChange={(v) => setHt(v as Axis)}
                  aria-label={t('form.hyperThreading')}
                  data={axisData(t('form.on'), t('form.off'))}
                />
              </Stack>
              <Stack gap={4}>
                <Text size="sm" fw={500}>
                  {t('form.placement')}
                </Text>
                <SegmentedControl
                  value={placement}
                  onChange={(v) => setPlacement(v as Axis)}
                  aria-label={t('form.placement')}
                  data={axisData(t('form.spread'), t('form.pack'))}
                />
              </Stack>
            </SimpleGrid>
            <NumberInput
              label={t('form.price')}
              value={price}
              onChange={setPrice}
              min={0}
              data-testid="sweep-price"
            />
            <Text size="sm" fw={500}>
              {t('form.objectives')}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput label={t('form.p95Ready')} value={p95} onChange={setP95} min={0} />
              <NumberInput label={t('form.swapIn')} value={swapIn} onChange={setSwapIn} min={0} />
              <NumberInput
                label={t('form.worstPerf')}
                value={worst}
                onChange={setWorst}
                min={0}
                max={100}
              />
            </SimpleGrid>
            <Group>
              <Button type="submit" loading={busy} data-testid="sweep-submit">
                {t('form.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
        {error ? (
          <InputErrorsAlert
            mt="sm"
            title={errorText(error)}
            errors={error.errors}
            whole={t('form.whole')}
            note={t('form.nothingStarted')}
            testId="sweep-errors"
          />
        ) : null}
      </section>
    </main>
  );
}
