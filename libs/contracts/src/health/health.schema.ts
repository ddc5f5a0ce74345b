import { z } from 'zod';

/** `GET /api/health`: is the API up, and can it reach Redis? */
export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  redis: z.enum(['up', 'down']),
  version: z.string(),
});
export type Health = z.infer<typeof healthSchema>;
