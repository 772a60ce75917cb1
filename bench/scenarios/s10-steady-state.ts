/**
 * S10: steady state after approval (contract section 9). A returning customer whose credit limit fits only a few
 * open orders submits clean orders in a loop for minutes; each approved order is shipped and invoiced through
 * POST /v1/orders/{id}/fulfilment, as the ERP would report it. Without that feedback every approved order would count
 * towards the exposure forever and the customer would hit CREDIT_LIMIT_EXCEEDED after a handful of orders; with it,
 * clean orders must still pass on their own at the end. Baseline: the same loop without fulfilment feedback.
 */
import { type Stack, http } from '../lib/stack';
import { median, percentile, round } from '../lib/stats';

/** 10 × 12.50: the limit fits OPEN_FIT of these at a time. */
const ORDER_TOTAL = 125;
const OPEN_FIT = 4;

interface Tally {
  submitted: number;
  autoApproved: number;
  waiting: number;
  failed: number;
  approvalMs: number[];
}

const newTally = (): Tally => ({ submitted: 0, autoApproved: 0, waiting: 0, failed: 0, approvalMs: [] });

let seq = 0;
function steadyOrder(customerId: string): { orderId: string } & Record<string, unknown> {
  const delivery = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  return {
    orderId: `S10-${process.pid}-${Date.now().toString(36)}-${(seq++).toString(36)}`,
    customerId,
    channel: 'edi',
    currency: 'CNY',
    requestedDeliveryDate: delivery,
    paymentTerms: 'NET30',
    lines: [{ sku: 'BOX-BENCH', quantity: 10, unitPrice: '12.50' }],
    declaredTotal: `${ORDER_TOTAL}.00`,
  };
}

async function must(method: string, url: string, token: string, body?: unknown): Promise<any> {
  const res = await http(method, url, token, body);
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Submits one order and waits until its review rests: approved, or a step awaiting someone. */
async function submitAndRest(stack: Stack, customerId: string): Promise<{ orderId: string; approved: boolean; ms: number; findings: string[] }> {
  const body = steadyOrder(customerId);
  const t = performance.now();
  await must('POST', `${stack.api}/v1/orders`, stack.tokens.shop, body);
  for (;;) {
    const o = await must('GET', `${stack.api}/v1/orders/${body.orderId}`, stack.tokens.admin);
    if (o.status === 'approved') return { orderId: body.orderId, approved: true, ms: performance.now() - t, findings: [] };
    if (o.status !== 'in_review' || o.awaiting.length > 0) {
      const findings = o.steps.flatMap((s: { findings: { code: string }[] }) => s.findings.map((f) => f.code));
      return { orderId: body.orderId, approved: false, ms: performance.now() - t, findings };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function loop(
  stack: Stack,
  opts: { customerId: string; seconds: number; concurrency: number; feedback: boolean; erp: string; fulfilmentMs: number[] },
) {
  const minutes: Tally[] = [];
  const start = performance.now();
  const end = start + opts.seconds * 1000;
  const findings = new Map<string, number>();
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < end) {
        const minute = Math.floor((performance.now() - start) / 60_000);
        const tally = (minutes[minute] ??= newTally());
        tally.submitted++;
        try {
          const r = await submitAndRest(stack, opts.customerId);
          if (!r.approved) {
            tally.waiting++;
            for (const f of r.findings) findings.set(f, (findings.get(f) ?? 0) + 1);
            // Nobody decides in this loop: cancel it, so only approved orders accumulate in the exposure.
            await must('POST', `${stack.api}/v1/orders/${r.orderId}/cancel`, stack.tokens.shop, { reason: 'bench: not auto-approved' });
            continue;
          }
          tally.autoApproved++;
          tally.approvalMs.push(r.ms);
          if (!opts.feedback) continue;
          for (const [event, reference] of [
            ['shipped', `DN-${r.orderId}`],
            ['invoiced', `INV-${r.orderId}`],
          ] as const) {
            const t = performance.now();
            await must('POST', `${stack.api}/v1/orders/${r.orderId}/fulfilment`, opts.erp, { event, reference });
            opts.fulfilmentMs.push(performance.now() - t);
          }
        } catch (err) {
          tally.failed++;
          firstError ??= String(err);
        }
      }
    }),
  );
  const perMinute = minutes.map((m, i) => ({
    minute: i + 1,
    submitted: m.submitted,
    autoApproved: m.autoApproved,
    waitedForFinance: m.waiting,
    failed: m.failed,
    autoApprovedShare: m.submitted ? round(m.autoApproved / m.submitted, 3) : null,
    approvalMedianMs: m.approvalMs.length ? round(median(m.approvalMs)) : null,
    approvalP99Ms: m.approvalMs.length ? round(percentile(m.approvalMs, 99)) : null,
  }));
  const total = minutes.reduce((s, m) => ({ submitted: s.submitted + m.submitted, autoApproved: s.autoApproved + m.autoApproved }), { submitted: 0, autoApproved: 0 });
  return { ...total, seconds: round((performance.now() - start) / 1000, 1), perMinute, findings: Object.fromEntries(findings), firstError };
}

export async function runS10(stack: Stack, opts: { seconds: number; baselineSeconds: number; concurrency: number }) {
  const admin = stack.tokens.admin;
  const erp = (await must('POST', `${stack.api}/v1/principals`, admin, { id: 'bench-erp', name: 'bench ERP', roles: ['erp'] })).token as string;
  const customer = (name: string) => ({
    name,
    tier: 'standard',
    creditLimit: `${ORDER_TOTAL * OPEN_FIT}.00`,
    openBalance: '0.00',
    allowedPaymentTerms: ['NET30'],
    onHold: false,
  });
  await must('PUT', `${stack.api}/v1/customers/C-STEADY`, admin, customer('Returning customer'));
  await must('PUT', `${stack.api}/v1/customers/C-NOFEEDBACK`, admin, customer('Returning customer, no fulfilment feedback'));
  const stockBefore = await must('GET', `${stack.api}/v1/materials/M-BENCH`, admin);

  // Baseline first: what the checks did before section 9 (approved orders count forever).
  const baseline = await loop(stack, { customerId: 'C-NOFEEDBACK', seconds: opts.baselineSeconds, concurrency: opts.concurrency, feedback: false, erp, fulfilmentMs: [] });
  const fulfilmentMs: number[] = [];
  const steady = await loop(stack, { customerId: 'C-STEADY', seconds: opts.seconds, concurrency: opts.concurrency, feedback: true, erp, fulfilmentMs });

  // At the end: one more clean order of the same customer, alone, must pass on its own.
  const final = await submitAndRest(stack, 'C-STEADY');
  const stockAfter = await must('GET', `${stack.api}/v1/materials/M-BENCH`, admin);
  const last = steady.perMinute[steady.perMinute.length - 1];
  return {
    creditLimit: `${ORDER_TOTAL * OPEN_FIT}.00 (fits ${OPEN_FIT} open orders of ${ORDER_TOTAL}.00)`,
    concurrency: opts.concurrency,
    withFeedback: { ...steady, autoApprovedShare: round(steady.autoApproved / Math.max(1, steady.submitted), 3) },
    withoutFeedback: { ...baseline, autoApprovedShare: round(baseline.autoApproved / Math.max(1, baseline.submitted), 3) },
    finalCleanOrder: { autoApproved: final.approved, findings: final.findings, ms: round(final.ms) },
    lastMinuteAutoApprovedShare: last?.autoApprovedShare ?? null,
    fulfilmentPost: { count: fulfilmentMs.length, medianMs: round(median(fulfilmentMs)), p99Ms: round(percentile(fulfilmentMs, 99)) },
    // Shipments consume what approvals reserved: reserved stays at what the unshipped orders hold.
    materialBench: {
      before: { onHand: stockBefore.onHand, reserved: stockBefore.reserved },
      after: { onHand: stockAfter.onHand, reserved: stockAfter.reserved },
    },
  };
}
