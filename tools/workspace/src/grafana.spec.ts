import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Grafana dashboard names metrics in PromQL strings: a metric renamed in the API would leave a
 * panel empty, not fail anything. These cases hold the dashboard's queries to the metrics the API
 * defines and to the datasource Grafana is provisioned with.
 */
const root = join(__dirname, '../../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

const DATASOURCE_UID = 'overcommit-prometheus';

interface DatasourceRef {
  type?: string;
  uid?: string;
}

interface Target {
  expr?: string;
  datasource?: DatasourceRef;
}

interface Panel {
  type?: string;
  title?: string;
  datasource?: DatasourceRef;
  targets?: Target[];
  /** A collapsed row keeps its panels here. */
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  datasource?: DatasourceRef;
  query?: string | { query?: string };
}

interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: Panel[];
  templating?: { list?: Variable[] };
}

const dashboard = JSON.parse(read('deploy/grafana/dashboards/overcommit.json')) as Dashboard;
const metricsSource = read('apps/api/src/observability/metrics.ts');

/** Every panel, those nested in rows included. */
function flatten(panels: Panel[] = []): Panel[] {
  return panels.flatMap((panel) => [panel, ...flatten(panel.panels)]);
}

const panels = flatten(dashboard.panels);
const queryPanels = panels.filter((panel) => panel.type !== 'row');
const exprs = queryPanels.flatMap((panel) =>
  (panel.targets ?? []).flatMap(({ expr }) => (expr && expr.trim() !== '' ? [expr] : [])),
);
const variables = dashboard.templating?.list ?? [];
const variableQueries = variables.flatMap((variable) => {
  const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
  return variable.type === 'query' && query ? [query] : [];
});

const METRIC = /\b(overcommit_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)\b/g;

/** The metric names a PromQL expression uses, a histogram's series back to its own name. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(METRIC)].map((match) =>
    (match[1] ?? '').replace(/_(bucket|sum|count)$/, ''),
  );
}

const used = [...new Set([...exprs, ...variableQueries].flatMap(metricNames))].sort();

describe('the Grafana dashboard', () => {
  it('is the Overcommit dashboard, with panels', () => {
    expect(dashboard.uid).toBe('overcommit');
    expect(dashboard.title).toBe('Overcommit');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(queryPanels.length).toBeGreaterThan(0);
    expect(exprs.length).toBeGreaterThan(0);
  });

  it('gives every panel a query', () => {
    const empty = queryPanels
      .filter((panel) => !(panel.targets ?? []).some((target) => target.expr?.trim()))
      .map((panel) => panel.title);
    expect(empty).toEqual([]);
  });

  it('queries only the overcommit_* metrics the API defines', () => {
    const ours = used.filter((name) => name.startsWith('overcommit_'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((name) => !metricsSource.includes(`'${name}'`))).toEqual([]);
  });

  it('queries process and Node.js metrics only if the API collects them', () => {
    if (used.some((name) => !name.startsWith('overcommit_'))) {
      expect(metricsSource).toContain('collectDefaultMetrics(');
    }
  });

  it('de-duplicates the cluster and host gauges every API instance exposes', () => {
    // Each API instance reads the same Redis: a gauge per cluster or host comes once per
    // instance, so a panel takes the max across them (a sum would count each instance).
    const perCluster = /\b(overcommit_(?:cluster|host)_[a-z0-9_]+|overcommit_alarms_firing)\b/g;
    const maxed = /\bmax\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(\s*$/;
    const bare = exprs.flatMap((expr) =>
      [...expr.matchAll(perCluster)]
        .filter((match) => match[1] !== 'overcommit_cluster_metrics_up')
        .filter((match) => !maxed.test(expr.slice(0, match.index)))
        .map((match) => `${match[1] ?? ''} in ${expr}`),
    );
    expect(bare).toEqual([]);
  });

  it('uses only the variables it defines', () => {
    const names = new Set(variables.map((variable) => variable.name));
    expect([...names]).toEqual(expect.arrayContaining(['cluster', 'host']));
    const referenced = [...exprs, ...variableQueries].flatMap((expr) =>
      [...expr.matchAll(/\$(?:\{(\w+)[^}]*\}|(\w+))/g)].map((match) => match[1] ?? match[2] ?? ''),
    );
    const unknown = referenced.filter((name) => !name.startsWith('__') && !names.has(name));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('queries the Prometheus datasource Grafana is provisioned with', () => {
    const provisioned = read('deploy/grafana/provisioning/datasources/prometheus.yml');
    expect(provisioned).toMatch(new RegExp(`^\\s*uid:\\s*['"]?${DATASOURCE_UID}['"]?\\s*$`, 'm'));
    const refs = [
      ...queryPanels.flatMap((panel) => [
        panel.datasource,
        ...(panel.targets ?? []).map((target) => target.datasource),
      ]),
      ...variables.map((variable) => variable.datasource),
    ].filter((ref): ref is DatasourceRef => ref !== undefined);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => ref.uid !== DATASOURCE_UID)).toEqual([]);
  });
});
