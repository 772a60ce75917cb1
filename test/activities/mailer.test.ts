/** Who hears of a waiting step: the department's approvers with an address, and those they delegated to. */
import { describe, expect, it } from 'vitest';
import { recipientsOf } from '../../activities/mailer';
import { createPrincipal } from '../../db/principals';
import { delegations } from '../../db/schema';
import { createTestDb } from '../helpers/fixtures';

describe('notification recipients', () => {
  it('approvers of the department with an address, plus their delegates while the delegation lasts', () => {
    const db = createTestDb();
    createPrincipal(db, { id: 'fiona', name: 'Fiona', roles: ['approver:finance'], email: 'fiona@example.com' });
    createPrincipal(db, { id: 'frank', name: 'Frank', roles: ['approver:finance'] });
    createPrincipal(db, { id: 'pia', name: 'Pia', roles: ['approver:production'], email: 'pia@example.com' });
    createPrincipal(db, { id: 'paul', name: 'Paul', roles: ['approver:production'], email: 'paul@example.com' });
    const now = new Date('2026-12-02T10:00:00Z');
    expect(recipientsOf(db, 'finance', now).map((r) => r.id)).toEqual(['fiona']);
    db.insert(delegations).values({ fromId: 'frank', toId: 'pia', until: '2026-12-03T00:00:00Z', createdAt: now.toISOString() }).run();
    db.insert(delegations).values({ fromId: 'fiona', toId: 'paul', until: '2026-12-01T00:00:00Z', createdAt: now.toISOString() }).run();
    expect(recipientsOf(db, 'finance', now).map((r) => r.id).sort()).toEqual(['fiona', 'pia']);
    expect(recipientsOf(db, 'production', now).map((r) => r.id).sort()).toEqual(['paul', 'pia']);
  });
});
