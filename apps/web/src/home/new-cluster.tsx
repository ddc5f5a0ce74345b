'use client';

import { useErrorText } from '../i18n/errors';
import { InputErrorsAlert } from '../ui/input-errors';
import type { CreateClusterResponse, Visibility } from '@overcommit/contracts';
import {
  Alert,
  Button,
  CopyButton,
  FileButton,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { type ApiError, createCluster, listScenarios, type ScenarioInfo } from '../api';
import { rememberOperatorToken } from './tokens';
import { useApiUrl } from '../app-config';

/** The path and query of a link the API built (its origin is this page's). */
export const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

export function LinkRow({ label, url, testId }: { label: string; url: string; testId: string }) {
  const t = useTranslations('home');
  return (
    <Group gap="xs" wrap="nowrap">
      <TextInput
        label={label}
        value={url}
        readOnly
        style={{ flex: 1 }}
        data-testid={testId}
        onFocus={(e) => e.currentTarget.select()}
      />
      <CopyButton value={url}>
        {({ copied, copy }) => (
          <Button
            mt={24}
            size="sm"
            variant={copied ? 'filled' : 'default'}
            onClick={copy}
            aria-label={t('newCluster.copyAria', { label: label.toLowerCase() })}
          >
            {copied ? t('newCluster.copied') : t('newCluster.copy')}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/** "New cluster": a bundled scenario, or YAML pasted or uploaded; errors at their paths; the links after. */
export function NewCluster() {
  const t = useTranslations('home');
  const apiUrl = useApiUrl();
  const [scenarios, setScenarios] = useState<ScenarioInfo[] | null>(null);
  const [source, setSource] = useState<'bundled' | 'yaml'>('bundled');
  const [scenarioName, setScenarioName] = useState<string | null>(null);
  const [yaml, setYaml] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [busy, setBusy] = useState(false);
  const errorText = useErrorText();
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<CreateClusterResponse | null>(null);
  useEffect(() => {
    void listScenarios(apiUrl).then((r) => {
      if (r.ok) {
        setScenarios(r.value);
        setScenarioName((n) => n ?? r.value[0]?.name ?? null);
      } else setError(r.error);
    });
  }, [apiUrl]);
  const chosen = scenarios?.find((s) => s.name === scenarioName);
  return (
    <section className="panel" aria-labelledby="new-title" data-testid="new-cluster">
      <div className="panel-head">
        <h2 id="new-title">{t('newCluster.title')}</h2>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          setCreated(null);
          const input =
            source === 'bundled'
              ? ({ kind: 'bundled', scenarioName: scenarioName ?? '', visibility } as const)
              : ({ kind: 'yaml', yaml, visibility } as const);
          void createCluster(apiUrl, input).then((r) => {
            setBusy(false);
            if (r.ok) {
              setCreated(r.value);
              rememberOperatorToken(r.value.id, r.value.operatorToken);
            } else setError(r.error);
          });
        }}
      >
        <Stack gap="sm">
          <SegmentedControl
            value={source}
            onChange={(v) => setSource(v)}
            data={[
              { value: 'bundled', label: t('newCluster.bundled') },
              { value: 'yaml', label: t('newCluster.yaml') },
            ]}
            aria-label={t('newCluster.sourceAria')}
          />
          {source === 'bundled' ? (
            <>
              <Select
                label={t('newCluster.scenario')}
                data={(scenarios ?? []).map((s) => ({
                  value: s.name,
                  label: t('newCluster.scenarioOption', {
                    title: s.title ?? s.name,
                    hosts: s.hosts,
                    vms: s.vms,
                  }),
                }))}
                value={scenarioName}
                onChange={setScenarioName}
                placeholder={scenarios ? t('newCluster.choose') : t('newCluster.loading')}
                allowDeselect={false}
              />
              {chosen?.description ? (
                <Text size="sm" c="dimmed">
                  {chosen.description}
                </Text>
              ) : null}
            </>
          ) : (
            <>
              <Textarea
                label={t('newCluster.yamlLabel')}
                description={t('newCluster.yamlHint')}
                value={yaml}
                onChange={(e) => setYaml(e.currentTarget.value)}
                autosize
                minRows={8}
                maxRows={24}
                styles={{
                  input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 },
                }}
              />
              <FileButton
                onChange={(file) => file && void file.text().then(setYaml)}
                accept=".yaml,.yml,text/yaml"
              >
                {(props) => (
                  <Button variant="default" size="xs" {...props} w="fit-content">
                    {t('newCluster.upload')}
                  </Button>
                )}
              </FileButton>
            </>
          )}
          <SegmentedControl
            fullWidth
            // Long labels wrap on a phone rather than run off the screen.
            styles={{ label: { whiteSpace: 'normal' } }}
            value={visibility}
            onChange={(v) => setVisibility(v)}
            data={[
              { value: 'public', label: t('newCluster.public') },
              { value: 'private', label: t('newCluster.private') },
            ]}
            aria-label={t('newCluster.visibilityAria')}
          />
          <Button
            type="submit"
            loading={busy}
            disabled={source === 'bundled' ? !scenarioName : !yaml.trim()}
            w="fit-content"
          >
            {t('newCluster.submit')}
          </Button>
        </Stack>
      </form>
      {error ? (
        <InputErrorsAlert
          mt="sm"
          title={errorText(error)}
          errors={error.errors}
          whole={t('newCluster.wholeScenario')}
          note={t('newCluster.nothingCreated')}
          testId="create-errors"
        />
      ) : null}
      {created ? (
        <Alert
          color="teal"
          mt="sm"
          title={t('newCluster.created', { name: created.name })}
          data-testid="created"
        >
          <Stack gap="xs">
            <LinkRow
              label={t('newCluster.operatorLink')}
              url={created.operatorLink}
              testId="operator-link"
            />
            <LinkRow
              label={t('newCluster.viewerLink')}
              url={created.viewerLink}
              testId="viewer-link"
            />
            <Link href={pathOf(created.operatorLink)}>{t('newCluster.open')}</Link>
          </Stack>
        </Alert>
      ) : null}
    </section>
  );
}
