import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * deploy/prometheus/prometheus.yml, as Prometheus itself reads it: `promtool check config` (Debian's
 * prometheus package) rejects what Prometheus would refuse at start, and the jobs the Grafana
 * dashboard queries must be there.
 */
const root = join(__dirname, '../../..');
const config = join(root, 'deploy/prometheus/prometheus.yml');

describe('the Prometheus scrape configuration', () => {
  it('passes promtool check config and scrapes the API and worker jobs by DNS', () => {
    const check = spawnSync('promtool', ['check', 'config', config], { encoding: 'utf8' });
    if (check.error)
      throw new Error(
        `promtool is needed to check ${config} (Debian: apt-get install prometheus): ${check.error.message}`,
      );
    expect(`${check.stdout}${check.stderr}`).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const text = readFileSync(config, 'utf8');
    for (const job of ['overcommit-api', 'overcommit-worker'])
      expect(text).toContain(`job_name: ${job}`);
    expect(text).toMatch(/names: \[api\][\s\S]*port: 3001/);
    expect(text).toMatch(/names: \[worker\][\s\S]*port: 3001/);
  });
});
