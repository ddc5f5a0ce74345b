import { z } from 'zod';
import { clusterFrameSchema, hostFrameSchema, vmFrameSchema } from '../frame/frame.schema';
import { exerciseMetrics } from './scenario.schema';

// An exercise objective names a frame metric: each name must be a number in the frame it reads.
describe('exercise metrics', () => {
  it.each([
    ['vm', vmFrameSchema],
    ['host', hostFrameSchema],
    ['cluster', clusterFrameSchema],
  ] as const)('every %s metric is a number in the frame', (scope, schema) => {
    for (const field of exerciseMetrics[scope]) {
      const fieldSchema = (schema.shape as Record<string, z.ZodType>)[field];
      expect([field, fieldSchema instanceof z.ZodNumber]).toEqual([field, true]);
    }
  });
});
