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
      '/api/clusters/{id}/history',
      '/api/health',
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
});
