/**
 * All activities of the order review, built by a factory that receives the db handle (tests inject their own).
 * The workflow imports only the *type* of this object.
 */
import type { Db } from '../db/client';
import { createCheckActivities } from './checks';
import { createHoldActivities } from './holds';
import { createReadModelActivities } from './read-model';

export function createActivities(db: Db, now: () => Date = () => new Date()) {
  const deps = { db, now };
  return {
    ...createCheckActivities(deps),
    ...createHoldActivities(deps),
    ...createReadModelActivities(deps),
  };
}

export type ReviewActivities = ReturnType<typeof createActivities>;
