'use client';

import type { ClusterSummary } from '@overcommit/contracts';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import Link from 'next/link';
import { useFormatter, useTranslations } from 'next-intl';
import { useEffect, useMemo, useState } from 'react';
import { type ApiResult, clusterSummary, deleteCluster, listClusters } from '../api';
import { useApiUrl } from '../app-config';
import { useHomeText } from '../help/home';
import { useErrorText } from '../i18n/errors';
import { usePolledApi } from '../ui/use-polling';
import { severityLabel, simTime } from '../ui/format';
import { forgetOperatorToken, onOperatorTokens, operatorTokens } from './tokens';

const POLL_MS = 2000;
/** The private clusters this browser holds links for: the newest this many, looked up this often. */
const PRIVATE_MAX = 10;
const PRIVATE_POLL_MS = 5000;

/**
 * The private clusters among `ids`, each asked for with this browser's operator token (the API
 * lists only public ones): what the token opens, never anyone else's. A link whose cluster is gone
 * or public (listed anyway) gives nothing.
 */
async function privateClusters(
  apiUrl: string,
  ids: readonly string[],
  tokens: ReadonlyMap<string, string>,
): Promise<ApiResult<ClusterSummary[]>> {
  const found = await Promise.all(
    ids.map(async (id) => {
      const r = await clusterSummary(apiUrl, id, tokens.get(id));
      return r.ok && r.value.id === id && r.value.visibility === 'private' ? r.value : null;
    }),
  );
  return { ok: true, value: found.filter((c): c is ClusterSummary => c !== null) };
}

type SortKey = 'created' | 'name' | 'tick' | 'watchers' | 'alarms';

const SORT_KEYS: SortKey[] = ['created', 'name', 'tick', 'watchers', 'alarms'];

const byName = new Intl.Collator('en', { numeric: true }).compare;

const compare: Record<SortKey, (a: ClusterSummary, b: ClusterSummary) => number> = {
  created: (a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0),
  name: (a, b) => byName(a.name, b.name),
  tick: (a, b) => b.tick - a.tick,
  watchers: (a, b) => b.watchers - a.watchers,
  alarms: (a, b) => b.alarms.critical - a.alarms.critical || b.alarms.warning - a.alarms.warning,
};

/**
 * When a cluster was created, in the reader's language and this browser's time zone: "today 14:05"
 * or "3 Dec 14:05".
 */
function useCreated(): (ms: number | undefined) => string {
  const format = useFormatter();
  const homeText = useHomeText();
  return (ms) => {
    if (!ms) return '–';
    const d = new Date(ms);
    const time = format.dateTime(d, { hour: '2-digit', minute: '2-digit' });
    return d.toDateString() === new Date().toDateString()
      ? `${homeText.today} ${time}`
      : `${format.dateTime(d, { day: 'numeric', month: 'short' })} ${time}`;
  };
}

/**
 * The public clusters, refreshed every two seconds, and the private ones this browser holds an
 * operator link for (marked private, opened with that link): when each was created, its tick, who
 * watches, how it is shared; sorted and filtered; deletable where this browser holds the operator
 * link.
 */
export function ClustersList() {
  const t = useTranslations('home');
  const homeText = useHomeText();
  const format = useFormatter();
  const created = useCreated();
  const apiUrl = useApiUrl();
  const { value: publicClusters, error } = usePolledApi(
    () => listClusters(apiUrl),
    POLL_MS,
    apiUrl,
  );
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortKey>('created');
  const [tokens, setTokens] = useState<ReadonlyMap<string, string>>(new Map());
  const [deleting, setDeleting] = useState<ClusterSummary | null>(null);
  const [gone, setGone] = useState<ReadonlySet<string>>(new Set());
  // The browser's links are read after mounting (localStorage is not there on the server).
  useEffect(() => {
    setTokens(operatorTokens());
    return onOperatorTokens(() => setTokens(operatorTokens()));
  }, []);
  // The links this browser holds for clusters the public list does not have (newest first, bounded).
  const lookup = useMemo(() => {
    if (!publicClusters) return [];
    const listed = new Set(publicClusters.map((c) => c.id));
    return [...tokens.keys()].filter((id) => !listed.has(id)).slice(0, PRIVATE_MAX);
  }, [publicClusters, tokens]);
  const { value: mine } = usePolledApi(
    () =>
      lookup.length > 0
        ? privateClusters(apiUrl, lookup, tokens)
        : Promise.resolve({ ok: true as const, value: [] }),
    PRIVATE_POLL_MS,
    `${apiUrl}|${lookup.join(',')}`,
  );
  const clusters = useMemo(() => {
    if (!publicClusters) return null;
    const listed = new Set(publicClusters.map((c) => c.id));
    const own = (mine ?? []).filter((c) => !listed.has(c.id) && tokens.has(c.id));
    return own.length > 0 ? [...publicClusters, ...own] : publicClusters;
  }, [publicClusters, mine, tokens]);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (clusters ?? [])
      .filter(
        (c) =>
          !gone.has(c.id) &&
          (!q || c.name.toLowerCase().includes(q) || c.id.toLowerCase().includes(q)),
      )
      .sort((a, b) => compare[sort](a, b) || byName(a.id, b.id));
  }, [clusters, query, sort, gone]);
  return (
    <section className="panel" aria-labelledby="clusters-title" data-testid="clusters">
      <div className="panel-head">
        <h2 id="clusters-title">
          {homeText.title} {clusters ? <span className="dim num">({clusters.length})</span> : null}
        </h2>
        <Group gap="xs">
          <TextInput
            size="xs"
            w={170}
            placeholder={homeText.filter}
            aria-label={homeText.filter}
            value={query}
            onChange={(e) => setQuery(e.currentTarget.value)}
          />
          <Select
            size="xs"
            w={150}
            aria-label={homeText.sortBy}
            data={SORT_KEYS.map((value) => ({ value, label: homeText.sort[value] }))}
            value={sort}
            onChange={(v) => v && setSort(v)}
            allowDeselect={false}
          />
        </Group>
      </div>
      {error ? (
        <Alert color="red" role="alert" title={t('list.cannotList')}>
          {error}
          {clusters ? t('list.stale') : ''}
        </Alert>
      ) : null}
      {clusters === null ? (
        error ? null : (
          <div className="empty">{t('list.loading')}</div>
        )
      ) : clusters.length === 0 ? (
        <div className="empty">{t('list.none')}</div>
      ) : shown.length === 0 ? (
        <div className="empty">{homeText.noMatch(query)}</div>
      ) : (
        <Table.ScrollContainer minWidth={980}>
          <Table highlightOnHover verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('list.col.name')}</Table.Th>
                <Table.Th>{t('list.col.created')}</Table.Th>
                <Table.Th>{t('list.col.shared')}</Table.Th>
                <Table.Th className="num">{t('list.col.tick')}</Table.Th>
                <Table.Th className="num">{t('list.col.simTime')}</Table.Th>
                <Table.Th className="num">{t('list.col.speed')}</Table.Th>
                <Table.Th className="num">{t('list.col.hostsUp')}</Table.Th>
                <Table.Th className="num">{t('list.col.vmsRunning')}</Table.Th>
                <Table.Th>{t('list.col.alarms')}</Table.Th>
                <Table.Th className="num">{t('list.col.watching')}</Table.Th>
                <Table.Th aria-label={t('list.col.actions')} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((c) => (
                <Table.Tr key={c.id} data-testid={`cluster-${c.id}`}>
                  <Table.Td>
                    <Link
                      href={
                        c.visibility === 'private'
                          ? `/clusters/${encodeURIComponent(c.id)}?token=${encodeURIComponent(tokens.get(c.id) ?? '')}`
                          : `/clusters/${encodeURIComponent(c.id)}`
                      }
                    >
                      {c.name}
                    </Link>{' '}
                    <span className="dim num">{c.id}</span>
                  </Table.Td>
                  <Table.Td
                    className="num"
                    title={c.createdAt ? format.dateTime(c.createdAt, 'moment') : ''}
                  >
                    {created(c.createdAt)}
                  </Table.Td>
                  <Table.Td>
                    {c.visibility === 'private' ? (
                      <Badge
                        color="grape"
                        variant="light"
                        title={t('list.privateMine')}
                        data-testid="private-mine"
                      >
                        {t('list.visibility', { visibility: c.visibility })}
                      </Badge>
                    ) : (
                      t('list.visibility', { visibility: c.visibility })
                    )}
                  </Table.Td>
                  <Table.Td className="num">{c.tick}</Table.Td>
                  <Table.Td className="num">{simTime(c.time)}</Table.Td>
                  <Table.Td className="num">
                    ×{c.speed} {c.paused ? <Badge color="gray">{t('list.paused')}</Badge> : null}
                  </Table.Td>
                  <Table.Td className="num">
                    {c.hostsUp}/{c.hostsTotal}
                  </Table.Td>
                  <Table.Td className="num">{c.vmsRunning}</Table.Td>
                  <Table.Td>
                    <span style={{ color: severityLabel.critical.color }} aria-hidden="true">
                      {severityLabel.critical.icon}
                    </span>{' '}
                    {t('list.critical', { count: c.alarms.critical })}{' '}
                    <span style={{ color: severityLabel.warning.color }} aria-hidden="true">
                      {severityLabel.warning.icon}
                    </span>{' '}
                    {t('list.warning', { count: c.alarms.warning })}
                  </Table.Td>
                  <Table.Td className="num">{c.watchers}</Table.Td>
                  <Table.Td>
                    {tokens.has(c.id) ? (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        onClick={() => setDeleting(c)}
                        aria-label={t('list.deleteAria', { name: c.name, id: c.id })}
                      >
                        {homeText.delete}
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <p className="legend">{homeText.deleteHint}</p>
      <DeleteDialog
        cluster={deleting}
        token={deleting ? tokens.get(deleting.id) : undefined}
        onClose={() => setDeleting(null)}
        onDeleted={(id) => {
          forgetOperatorToken(id);
          setGone((g) => new Set(g).add(id));
          setDeleting(null);
        }}
      />
    </section>
  );
}

/** Confirms a deletion, with the API's answer (a refusal in full) where the person acted. */
function DeleteDialog({
  cluster,
  token,
  onClose,
  onDeleted,
}: {
  cluster: ClusterSummary | null;
  token: string | undefined;
  onClose: () => void;
  onDeleted: (id: string) => void;
}) {
  const apiUrl = useApiUrl();
  const homeText = useHomeText();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setError(null);
    setBusy(false);
  }, [cluster?.id]);
  return (
    <Modal
      opened={cluster !== null}
      onClose={onClose}
      title={cluster ? homeText.deleteTitle(cluster.name) : ''}
    >
      {cluster ? (
        <Stack gap="sm">
          <Text size="sm">{homeText.deleteBody(cluster.id, cluster.watchers)}</Text>
          <Group>
            <Button
              color="red"
              loading={busy}
              disabled={!token}
              onClick={() => {
                if (!token) return;
                setBusy(true);
                void deleteCluster(apiUrl, cluster.id, token).then((r) => {
                  setBusy(false);
                  if (r.ok) onDeleted(cluster.id);
                  else setError(errorText(r.error));
                });
              }}
            >
              {homeText.deleteConfirm}
            </Button>
            <Button variant="default" onClick={onClose}>
              {homeText.cancel}
            </Button>
          </Group>
          {error ? (
            <span className="cmd-result" data-tone="crit" role="alert">
              <span aria-hidden="true">✖ </span>
              {homeText.refused}: {error}
            </span>
          ) : null}
        </Stack>
      ) : null}
    </Modal>
  );
}
