/**
 * The app database: master data, holds (reservations and bookings), principals, and the read model the
 * workflow writes through activities. Temporal stays the source of truth for review state.
 * Money columns are integer minor units.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { type FieldChanges, MASTER_DATA_ENTITIES } from '../domain/changes';
import type { CustomerDefaults } from '../domain/types';

export const customers = sqliteTable('customers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  tier: text('tier', { enum: ['standard', 'key', 'vip'] }).notNull(),
  creditLimitMinor: integer('credit_limit_minor').notNull(),
  openBalanceMinor: integer('open_balance_minor').notNull(),
  allowedPaymentTerms: text('allowed_payment_terms', { mode: 'json' }).$type<string[]>().notNull(),
  onHold: integer('on_hold', { mode: 'boolean' }).notNull(),
  /** What a returning customer's orders may leave out (section 10); null when the customer has none. */
  defaults: text('defaults', { mode: 'json' }).$type<CustomerDefaults>(),
  /** The current version (section 10); its history is in master_data_versions. */
  version: integer('version').notNull().default(1),
  updatedAt: text('updated_at').notNull(),
});

export const products = sqliteTable('products', {
  sku: text('sku').primaryKey(),
  name: text('name').notNull(),
  unitPriceMinor: integer('unit_price_minor').notNull(),
  hoursPerUnit: real('hours_per_unit').notNull(),
  /** The current version of the product and its bill of materials. */
  version: integer('version').notNull().default(1),
  updatedAt: text('updated_at').notNull(),
});

/** Bill of materials: how much of each material one unit of a product consumes. */
export const productMaterials = sqliteTable(
  'product_materials',
  {
    sku: text('sku')
      .notNull()
      .references(() => products.sku, { onDelete: 'cascade' }),
    materialId: text('material_id').notNull(),
    quantityPerUnit: real('quantity_per_unit').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sku, t.materialId] })],
);

export const materials = sqliteTable('materials', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  onHand: integer('on_hand').notNull(),
  version: integer('version').notNull().default(1),
  /** Procurement is told when `available` falls below it (contract section 9); null: no reorder point. */
  reorderPoint: integer('reorder_point'),
  updatedAt: text('updated_at').notNull(),
});

/** One row per order revision and material; the natural key makes a re-run activity a no-op. */
export const materialReservations = sqliteTable(
  'material_reservations',
  {
    orderId: text('order_id').notNull(),
    revision: integer('revision').notNull(),
    materialId: text('material_id').notNull(),
    quantity: integer('quantity').notNull(),
    /** What stock could not cover at reservation time: a pre-purchase to place. */
    prePurchase: integer('pre_purchase').notNull().default(0),
    reservedAt: text('reserved_at').notNull(),
    releasedAt: text('released_at'),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.revision, t.materialId] }),
    index('material_reservations_active').on(t.materialId, t.releasedAt),
  ],
);

/** A single row (id = 1): production hours available per calendar day. */
export const capacitySettings = sqliteTable('capacity_settings', {
  id: integer('id').primaryKey(),
  hoursPerDay: real('hours_per_day').notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: text('updated_at').notNull(),
});

/**
 * Every version of every master-data record (section 10): who wrote it, when, and what changed (field → from/to, in
 * the API's form). Version 1 is the creation, with every field. Written in the same transaction as the record.
 */
export const masterDataVersions = sqliteTable(
  'master_data_versions',
  {
    entity: text('entity', { enum: MASTER_DATA_ENTITIES }).notNull(),
    entityId: text('entity_id').notNull(),
    version: integer('version').notNull(),
    at: text('at').notNull(),
    by: text('by').notNull(),
    changes: text('changes', { mode: 'json' }).$type<FieldChanges>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.entity, t.entityId, t.version] })],
);

export const capacityBookings = sqliteTable(
  'capacity_bookings',
  {
    orderId: text('order_id').notNull(),
    revision: integer('revision').notNull(),
    day: text('day').notNull(),
    hours: real('hours').notNull(),
    bookedAt: text('booked_at').notNull(),
    releasedAt: text('released_at'),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.revision, t.day] }), index('capacity_bookings_day').on(t.day, t.releasedAt)],
);

/**
 * Marks an order revision whose holds were released. A reservation or booking for a released revision is
 * refused, so an activity retried after the release can never bring a hold back.
 */
export const holdReleases = sqliteTable(
  'hold_releases',
  {
    orderId: text('order_id').notNull(),
    revision: integer('revision').notNull(),
    releasedAt: text('released_at').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.revision] })],
);

/**
 * Fulfilment feedback after approval (contract section 9), written by the API's fulfilment service alone: one row
 * per `(orderId, event, reference)`, the idempotency key of an ERP's report. `bodyHash` tells a retry (same body)
 * from a conflicting report under the same key.
 */
export const fulfilmentEvents = sqliteTable(
  'fulfilment_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: text('order_id').notNull(),
    event: text('event').notNull(),
    reference: text('reference').notNull(),
    /** When it happened, as the ERP reports it (default: when it was recorded). */
    at: text('at').notNull(),
    /** The shipped lines (`shipped` only): what the request named, or everything not yet shipped. */
    lines: text('lines', { mode: 'json' }).$type<{ sku: string; quantity: number }[]>(),
    bodyHash: text('body_hash').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  (t) => [uniqueIndex('fulfilment_events_key').on(t.orderId, t.event, t.reference)],
);

/**
 * What fulfilment did to an order's material reservations: `consumed` by a shipment (onHand fell with it) or
 * `released` on close. A material's reserved stock = active reservations − these. Written with the fulfilment event.
 */
export const stockMoves = sqliteTable(
  'stock_moves',
  {
    orderId: text('order_id').notNull(),
    event: text('event').notNull(),
    reference: text('reference').notNull(),
    materialId: text('material_id').notNull(),
    kind: text('kind', { enum: ['consumed', 'released'] }).notNull(),
    quantity: integer('quantity').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.event, t.reference, t.materialId] }), index('stock_moves_material').on(t.materialId)],
);

/**
 * What fulfilment did to an order's capacity bookings, per booked day: hours `used` by a shipment (they stay on
 * their day) or `released` on close (free again). Written with the fulfilment event.
 */
export const capacityMoves = sqliteTable(
  'capacity_moves',
  {
    orderId: text('order_id').notNull(),
    event: text('event').notNull(),
    reference: text('reference').notNull(),
    day: text('day').notNull(),
    kind: text('kind', { enum: ['used', 'released'] }).notNull(),
    hours: real('hours').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.event, t.reference, t.day] }), index('capacity_moves_day').on(t.day)],
);

export const principals = sqliteTable('principals', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  roles: text('roles', { mode: 'json' }).$type<string[]>().notNull(),
  /** sha256 of the bearer token, hex. The token itself is never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  /** Where notifications for this principal go (section 8); optional. */
  email: text('email'),
  createdAt: text('created_at').notNull(),
  revokedAt: text('revoked_at'),
});

/**
 * One row: a number that triggers on `principals` raise with every insert, update and delete (migration
 * 0009). Each API process caches token → principal and reads this row by primary key per request: a revocation,
 * a rotation or any change made by another process (or by hand in SQL) empties every cache before its next request.
 */
export const principalsGeneration = sqliteTable('principals_generation', {
  id: integer('id').primaryKey(),
  generation: integer('generation').notNull(),
});

/**
 * The intake record of an order, written by the API alone: it decides idempotency by orderId and keeps the workflow
 * start input, so a start that a crash interrupted can be redone as it was.
 */
export const orderIntake = sqliteTable(
  'order_intake',
  {
    orderId: text('order_id').primaryKey(),
    workflowId: text('workflow_id').notNull().unique(),
    /** sha256 of the canonical submitted body: the same orderId with another body is a conflict. */
    bodyHash: text('body_hash').notNull(),
    submittedBy: text('submitted_by').notNull(),
    customerId: text('customer_id').notNull(),
    totalMinor: integer('total_minor').notNull(),
    submittedAt: text('submitted_at').notNull(),
    workflowInput: text('workflow_input', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** 0 until the workflow start was confirmed; a sweeper starts the ones a crash left behind. */
    workflowStarted: integer('workflow_started', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('order_intake_customer').on(t.customerId),
    // The start sweeper looks only for rows a crash left unstarted: a partial index keeps that scan tiny.
    index('order_intake_unstarted').on(t.submittedAt).where(sql`${t.workflowStarted} = 0`),
  ],
);

/**
 * The read model of an order's review, written by the workflow alone (through its recordState activity).
 * `state` holds the contract's order JSON as last written; `version` only grows.
 */
export const orders = sqliteTable(
  'orders',
  {
    orderId: text('order_id').primaryKey(),
    submittedBy: text('submitted_by').notNull(),
    customerId: text('customer_id').notNull(),
    channel: text('channel').notNull(),
    status: text('status').notNull(),
    revision: integer('revision').notNull(),
    priority: text('priority').notNull(),
    totalMinor: integer('total_minor').notNull(),
    escalated: integer('escalated', { mode: 'boolean' }).notNull().default(false),
    submittedAt: text('submitted_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    completedAt: text('completed_at'),
    state: text('state', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    version: integer('version').notNull().default(0),
    /**
     * Where the order's Temporal history stands in the archive (api/plugins/history-archiver.ts): 0 not archived
     * yet, 1 archived in `order_histories`, 2 Temporal no longer has it (nothing left to archive). Written by the
     * archiver only; the read model's upsert never sets it.
     */
    historyState: integer('history_state').notNull().default(0),
    /**
     * 1 once fulfilment reported the order invoiced or closed (domain/checks/exposure.ts EXPOSURE_CLEARING_EVENTS):
     * an approved order then no longer counts toward its customer's credit exposure. Set in the transaction that
     * records the report (api/services/fulfilment.ts); the read model's upsert never sets it.
     */
    exposureCleared: integer('exposure_cleared').notNull().default(0),
  },
  (t) => [
    index('orders_customer').on(t.customerId, t.status),
    index('orders_submitter').on(t.submittedBy, t.submittedAt),
    index('orders_status').on(t.status, t.submittedAt),
    index('orders_submitted').on(t.submittedAt, t.orderId),
    // The order search (contract section 11): each filter reads its own index in list order (newest first), so a
    // page stops after `limit` rows instead of sorting every match.
    index('orders_customer_submitted').on(t.customerId, t.submittedAt, t.orderId),
    index('orders_channel').on(t.channel, t.submittedAt, t.orderId),
    index('orders_priority').on(t.priority, t.submittedAt, t.orderId),
    index('orders_escalated').on(t.submittedAt, t.orderId).where(sql`${t.escalated} = 1`),
    // The archiver's queue: only finished orders still to archive, in completion order, so a pass reads at most its
    // batch instead of every finished order. The archiver's query repeats this WHERE word for word (SQLite uses a
    // partial index only when the query's WHERE contains the index's terms), test/audit/history-archiver.test.ts
    // checks the plan.
    index('orders_history_pending')
      .on(t.completedAt, t.orderId)
      .where(sql`${t.historyState} = 0 AND ${t.status} IN ('approved', 'rejected', 'cancelled', 'expired')`),
    // The credit check's two reads of the customer's orders (activities/checks.ts), each its own partial index so
    // neither grows with the customer's past: its orders that still count toward its exposure (an approved order
    // stops counting once invoiced or closed), and its finished orders newest first (the risk record's last 20).
    // The queries repeat these WHEREs word for word; test/activities/checks-plans.test.ts checks the plans.
    index('orders_customer_exposed')
      .on(t.customerId, t.status)
      .where(sql`(${t.status} IN ('in_review', 'changes_requested') OR (${t.status} = 'approved' AND ${t.exposureCleared} = 0))`),
    index('orders_customer_finished')
      .on(t.customerId, t.completedAt, t.orderId)
      .where(sql`${t.status} IN ('approved', 'rejected', 'cancelled', 'expired')`),
  ],
);

/**
 * The event log (contract section 7): every change of an order (and material alerts), in the order it happened.
 * `pos` orders the whole log (the feed's cursor); `seq` increases strictly per stream (`order:<id>`,
 * `material:<id>`). The writer passes a stable `id`, so a retried write inserts nothing twice.
 */
export const orderEvents = sqliteTable(
  'order_events',
  {
    pos: integer('pos').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    stream: text('stream').notNull(),
    seq: integer('seq').notNull(),
    orderId: text('order_id'),
    /** The order's submitter, so an integrator's feed is one index range. */
    submittedBy: text('submitted_by'),
    type: text('type').notNull(),
    at: text('at').notNull(),
    revision: integer('revision'),
    step: text('step'),
    actor: text('actor').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    uniqueIndex('order_events_stream_seq').on(t.stream, t.seq),
    index('order_events_order').on(t.orderId, t.pos),
    index('order_events_type').on(t.type, t.pos),
    index('order_events_submitter').on(t.submittedBy, t.pos),
  ],
);

/** The steps now awaiting a human decision: the inbox. Rewritten with each state the workflow records. */
export const inboxItems = sqliteTable(
  'inbox_items',
  {
    orderId: text('order_id').notNull(),
    step: text('step').notNull(),
    department: text('department').notNull(),
    customerId: text('customer_id').notNull(),
    customerName: text('customer_name'),
    totalMinor: integer('total_minor').notNull(),
    currency: text('currency'),
    priority: text('priority').notNull(),
    dueAt: text('due_at').notNull(),
    waitingSince: text('waiting_since').notNull(),
    escalated: integer('escalated', { mode: 'boolean' }).notNull(),
    claimedBy: text('claimed_by'),
    /** Why the step waits, in the words of its findings. */
    findings: text('findings', { mode: 'json' }).$type<{ code: string; message: string }[]>(),
    /**
     * The due time moved earlier by the order's weight (customer tier, value): the inbox's order after urgency and
     * escalation (domain/priority.ts). Null: the due time itself.
     */
    rankAt: text('rank_at'),
    priorityReasons: text('priority_reasons', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.step] }),
    // The inbox's own order (urgent first, escalated first, then by rank): a one-department inbox is read in
    // index order and stops at the page size instead of sorting every waiting step of the department.
    index('inbox_queue').on(
      t.department,
      sql`(case ${t.priority} when 'urgent' then 0 else 1 end)`,
      sql`(case when ${t.escalated} then 0 else 1 end)`,
      sql`coalesce(${t.rankAt}, ${t.dueAt})`,
      t.orderId,
      t.step,
    ),
    index('inbox_escalated').on(t.escalated, t.priority, t.dueAt),
    // The order search's `awaiting=<step>` (a department uses inbox_queue).
    index('inbox_step').on(t.step, t.orderId),
  ],
);

/** An approver's delegation while away (contract section 12): the delegate sees and decides the delegator's steps. */
export const delegations = sqliteTable(
  'delegations',
  {
    fromId: text('from_id').primaryKey(),
    toId: text('to_id').notNull(),
    until: text('until').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('delegations_to').on(t.toId, t.until)],
);

/** The full Temporal history of a finished order, kept after the server forgets the execution. */
export const orderHistories = sqliteTable('order_histories', {
  orderId: text('order_id').primaryKey(),
  workflowId: text('workflow_id').notNull(),
  runId: text('run_id').notNull(),
  history: text('history').notNull(),
  archivedAt: text('archived_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

/**
 * Each order's KPI facts (domain/kpis `orderFacts` of its logged KPI events), kept beside the log so a report reads
 * one row per order instead of every event. Written in the transaction that appends the order's KPI events
 * (db/kpi-facts.ts); `factsVersion` is the ORDER_FACTS_VERSION the row was computed under, so a rule change is
 * recomputed lazily by the report. `facts` is null when the log has no submission for the order yet (computed, but
 * nothing to count), which tells it apart from a row never computed.
 */
export const orderKpiFacts = sqliteTable('order_kpi_facts', {
  orderId: text('order_id')
    .primaryKey()
    .references(() => orders.orderId, { onDelete: 'cascade' }),
  factsVersion: integer('facts_version').notNull(),
  facts: text('facts'),
});

/**
 * Webhook subscriptions (contract section 7). The signing secret is kept sealed with the app's secret key
 * (db/secrets.ts): it can sign, and is never shown again. An integrator's subscription sees only its own orders.
 */
export const webhooks = sqliteTable('webhooks', {
  id: text('id').primaryKey(),
  ownerId: text('owner_id').notNull(),
  /** 1: only events of orders the owner submitted (an integrator's subscription). */
  ownOrdersOnly: integer('own_orders_only', { mode: 'boolean' }).notNull(),
  url: text('url').notNull(),
  types: text('types', { mode: 'json' }).$type<string[]>().notNull(),
  description: text('description'),
  secretSealed: text('secret_sealed').notNull(),
  createdAt: text('created_at').notNull(),
  deletedAt: text('deleted_at'),
});

/** Every delivery attempt of an event to a webhook, as the delivery log shows it. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhookId: text('webhook_id').notNull(),
    eventId: text('event_id').notNull(),
    attempt: integer('attempt').notNull(),
    at: text('at').notNull(),
    /** `delivered`, `failed` (this attempt; it is retried), `gave_up` (retries exhausted), `refused` (address not allowed). */
    outcome: text('outcome').notNull(),
    /** The receiver's HTTP status, when it answered. */
    httpStatus: integer('http_status'),
    error: text('error'),
    /** Milliseconds from the event to this attempt's answer. */
    lagMs: integer('lag_ms'),
  },
  (t) => [index('webhook_deliveries_webhook').on(t.webhookId, t.id), index('webhook_deliveries_event').on(t.webhookId, t.eventId)],
);

/**
 * Where a relay (a webhook's deliveries, or the mail notifications) has got to in the log: everything at or before
 * `pos` is done. The relay workflow keeps its own cursor; this checkpoint lets a relay started again resume.
 */
export const relayCheckpoints = sqliteTable('relay_checkpoints', {
  relayId: text('relay_id').primaryKey(),
  pos: integer('pos').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** People told by e-mail (contract section 8): one row per event and recipient, with its latest result. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventId: text('event_id').notNull(),
    orderId: text('order_id'),
    recipient: text('recipient').notNull(),
    email: text('email').notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    /** `sent`, `failed` (retried), `logged` (no SMTP_URL: written to the log instead), `gave_up`. */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    error: text('error'),
    at: text('at').notNull(),
  },
  (t) => [uniqueIndex('notifications_event_recipient').on(t.eventId, t.recipient), index('notifications_order').on(t.orderId, t.id)],
);

/**
 * Revocable, unguessable links to an order's tracking page (contract section 8). Looked up by the token's hash; the
 * token itself is kept sealed, so asking for the link again gives the same one (the customer's link keeps working).
 */
export const trackingLinks = sqliteTable(
  'tracking_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    tokenSealed: text('token_sealed').notNull(),
    orderId: text('order_id').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('tracking_links_order').on(t.orderId)],
);
