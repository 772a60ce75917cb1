/**
 * Notifications to people (contract section 8): who is told about which event, the mail they get, and sending it
 * with nodemailer. Without SMTP_URL a notification is written to the log instead of sent — never lost, still recorded.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { and, gt, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { delegations, principals } from '../db/schema';
import type { EventRow } from '../db/events';
import type { Department } from '../domain/types';

/** The events people are told about, and which department hears of each. */
export const NOTIFIED_TYPES = ['order.step_awaiting', 'order.step_reminded', 'order.step_escalated', 'material.below_reorder_point'] as const;

export interface Recipient {
  id: string;
  name: string;
  email: string;
}

export interface MailSettings {
  smtpUrl: string | undefined;
  from: string;
  /** Where the console lives, for the link in each mail. */
  publicUrl: string;
}

export interface Mailer {
  /** True when mails really go out (SMTP_URL set); false: they are logged. */
  readonly sends: boolean;
  /** `orderId` only names the order in the log line of a mail that is logged instead of sent. */
  send(to: Recipient, mail: { subject: string; text: string; orderId?: string | null }): Promise<void>;
  close(): void;
}

export function createMailer(settings: MailSettings, log: (msg: string, fields: Record<string, unknown>) => void): Mailer {
  const transport: Transporter | null = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl, { from: settings.from }) : null;
  return {
    sends: transport !== null,
    async send(to, mail) {
      if (!transport) {
        log('notification (no SMTP_URL set, so it is logged instead of mailed)', { to: to.email, subject: mail.subject, ...(mail.orderId ? { orderId: mail.orderId } : {}) });
        return;
      }
      await transport.sendMail({ from: settings.from, to: { name: to.name, address: to.email }, subject: mail.subject, text: mail.text });
    },
    close() {
      transport?.close();
    },
  };
}

/** The department whose approvers hear of an event: the step's own, management for an escalation. */
export function departmentToTell(e: Pick<EventRow, 'type' | 'data'>): Department | null {
  if (e.type === 'order.step_escalated') return 'management';
  if (e.type === 'material.below_reorder_point') return 'procurement';
  const dept = e.data.department;
  return typeof dept === 'string' && dept !== 'system' ? (dept as Department) : null;
}

/**
 * Active principals approving for `department` that have an e-mail address, and the colleagues those approvers
 * delegated to while away (the delegate decides their steps, so the delegate hears of them).
 */
export function recipientsOf(db: Db, department: Department, now = new Date()): Recipient[] {
  const active = db
    .select({ id: principals.id, name: principals.name, email: principals.email, roles: principals.roles })
    .from(principals)
    .where(isNull(principals.revokedAt))
    .all();
  const approvers = active.filter((p) => p.roles.includes(`approver:${department}`));
  const delegates = new Set(
    db
      .select({ to: delegations.toId })
      .from(delegations)
      .where(and(inArray(delegations.fromId, approvers.map((a) => a.id)), gt(delegations.until, now.toISOString())))
      .all()
      .map((d) => d.to),
  );
  return active
    .filter((p) => p.email && (approvers.includes(p) || delegates.has(p.id)))
    .map((p) => ({ id: p.id, name: p.name, email: p.email! }));
}

const WHAT: Record<string, string> = {
  'order.step_awaiting': 'awaits your decision',
  'order.step_reminded': 'still awaits your decision (reminder)',
  'order.step_escalated': 'was escalated to management',
};

/** The mail for one event. `order` is the order's current view, when the event belongs to one. */
export function composeMail(
  e: EventRow,
  order: { total?: string; currency?: string; customerId?: string; findings?: { message: string }[] } | undefined,
  publicUrl: string,
): { kind: string; subject: string; text: string } {
  const kind = e.type.replace(/^(order|material)\./, '');
  if (e.type === 'material.below_reorder_point') {
    const d = e.data as { materialId?: string; available?: number; reorderPoint?: number };
    return {
      kind,
      subject: `Material ${d.materialId} is below its reorder point`,
      text: [
        `Material ${d.materialId}: ${d.available} available, below the reorder point of ${d.reorderPoint}.`,
        '',
        `Materials below their reorder point: ${publicUrl}/v1/materials?belowReorderPoint=true`,
      ].join('\n'),
    };
  }
  const link = `${publicUrl}/console#/orders/${encodeURIComponent(e.orderId ?? '')}?step=${encodeURIComponent(e.step ?? '')}`;
  const due = typeof e.data.dueAt === 'string' ? e.data.dueAt : null;
  const lines = [
    `Order ${e.orderId}: step ${e.step} ${WHAT[e.type] ?? kind}.`,
    order?.customerId ? `Customer ${order.customerId}, total ${order.total ?? '?'} ${order.currency ?? ''}`.trim() : '',
    due ? `Due by ${due}.` : '',
    ...(order?.findings?.length ? ['', 'Why it waits:', ...order.findings.map((f) => `- ${f.message}`)] : []),
    '',
    `Open it in the console: ${link}`,
  ];
  return { kind, subject: `Order ${e.orderId}: ${e.step} ${WHAT[e.type] ?? kind}`, text: lines.filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n') };
}
