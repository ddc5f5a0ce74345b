import { openApiDocument } from './openapi';

describe('the OpenAPI document', () => {
  const doc = openApiDocument();

  it('describes every HTTP route of the API', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/clusters',
      '/api/clusters/{id}',
      '/api/clusters/{id}/commands',
      '/api/clusters/{id}/commands/{commandId}',
      '/api/clusters/{id}/fork',
      '/api/clusters/{id}/history',
      '/api/clusters/{id}/summary',
      '/api/clusters/{id}/vms/{vm}/targets',
      '/api/exercises',
      '/api/exercises/{id}',
      '/api/exercises/{id}/control',
      '/api/exercises/{id}/report',
      '/api/exercises/{id}/report.md',
      '/api/health',
      '/api/health/live',
      '/api/health/ready',
      '/api/scenarios',
    ]);
  });

  it('takes its request and response shapes from the zod contracts', () => {
    const text = JSON.stringify(doc);
    // The scenario's keys and the frame's metrics appear as JSON Schema properties.
    for (const key of [
      'ramAllocationRatio',
      'coresPerSocket',
      'cpuReadyPct',
      'operatorToken',
      'autoConverge',
    ]) {
      expect(text).toContain(`"${key}"`);
    }
  });

  it("describes a cluster's configuration and a VM's migration targets", () => {
    type Props = { properties: Record<string, unknown> };
    const ok = (path: string) => {
      const op = (doc.paths[path] as { get: { responses: Record<string, unknown> } }).get;
      const body = op.responses['200'] as { content: Record<string, { schema: Props }> };
      return body.content['application/json']!.schema;
    };
    const cluster = ok('/api/clusters/{id}');
    expect(Object.keys(cluster.properties)).toEqual(['cluster', 'frame', 'config']);
    expect(JSON.stringify(cluster.properties['config'])).toContain('"coresPerSocket"');
    const targets = ok('/api/clusters/{id}/vms/{vm}/targets');
    expect(JSON.stringify(targets.properties['targets'])).toContain('"freeVcpus"');
  });
});
