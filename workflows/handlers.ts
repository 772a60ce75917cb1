/**
 * Every message handler of the order review, registered on its state object before the workflow's first await (so
 * no early message is lost). Each Update is refused by its validator before anything is recorded, re-checked in its
 * handler (two Updates validated in one task may race; the first wins), and answers once its effect is at rest and
 * in the read model.
 */
import { type ApplicationFailure, condition, currentUpdateInfo, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ReviewActivities } from '../activities';
import { applyClaim, type ClaimAction, refuseClaim } from './claims';
import {
  type AmendInput,
  amendUpdate,
  type AssignInput,
  assignUpdate,
  type CancelInput,
  cancelUpdate,
  type ClaimInput,
  claimUpdate,
  type DecideInput,
  decideUpdate,
  getOrderStateQuery,
  type OrderState,
  type RecheckInput,
  recheckUpdate,
  unclaimUpdate,
} from './messages';
import { recheckStep, refuseRecheck } from './recheck';
import { refuseAmendment, refuseCancel, refuseDecision, refuseRacedDecision } from './refusals';
import type { Review } from './review';
import { isTerminal } from './state';

/**
 * The id of the Update being handled, for the event it causes: a client retrying with the same Idempotency-Key after
 * the order ended is answered from the log instead of being refused.
 */
export function withUpdateId(): { updateId?: string } {
  const id = currentUpdateInfo()?.id;
  return id ? { updateId: id } : {};
}

/** The one regular activity (everything else is local): a no-op whose scheduling commits the workflow task. */
const barrier = proxyActivities<Pick<ReviewActivities, 'updateDurable'>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
});

/**
 * Makes the Update being handled durable before it has any effect. An accepted Update enters the history only when
 * the workflow task that accepted it completes; until then the server holds it in memory and a restart forgets it.
 * Every other activity is local, running inside that task, so without this the read model, the event log (and so
 * webhooks and mails) and the holds could record a decision the workflow never got: worker and server killed before
 * the task completed (the chaos suite's whole-tree SIGKILL). Scheduling a regular activity ends the task, committing
 * the acceptance; the effect follows in the next task, a few milliseconds later (a timer would cost a second: the
 * server rounds shorter timers up). Histories from before have no marker and replay without it.
 */
export async function durable(): Promise<void> {
  if (patched('durable-updates')) await barrier.updateDurable();
}

/**
 * A handler and its validator for an Update: `apply` records the effect and returns the condition (besides being
 * settled) under which the caller gets its answer.
 */
function update<I>(
  r: Review,
  refuse: (input: I) => ApplicationFailure | null,
  apply: (input: I) => () => boolean,
  refuseRaced: (input: I) => ApplicationFailure | null = refuse,
) {
  const check = (input: I, why = refuse): void => {
    const refusal = why(input);
    if (refusal) throw refusal;
  };
  const handler = async (input: I): Promise<OrderState> => {
    check(input);
    await durable();
    // Again: another Update accepted in the same task may have got there first.
    check(input, refuseRaced);
    const done = apply(input);
    await condition(() => done() && r.settled());
    return r.view();
  };
  return { handler, options: { validator: check } };
}

export function registerHandlers(r: Review): void {
  setHandler(getOrderStateQuery, () => r.view());

  const decide = update<DecideInput>(
    r,
    (d) => refuseDecision(r, d),
    (d) => {
      r.applyDecision(d, withUpdateId());
      return () => true;
    },
    (d) => refuseRacedDecision(r, d),
  );
  setHandler(decideUpdate, decide.handler, decide.options);

  const claims = <I extends ClaimInput | AssignInput>(toAction: (input: I) => ClaimAction) =>
    update<I>(r, (input) => refuseClaim(r, toAction(input)), (input) => {
      applyClaim(r, toAction(input));
      return () => true;
    });
  const claim = claims<ClaimInput>((input) => ({ kind: 'claim', input }));
  setHandler(claimUpdate, claim.handler, claim.options);
  const unclaim = claims<ClaimInput>((input) => ({ kind: 'unclaim', input }));
  setHandler(unclaimUpdate, unclaim.handler, unclaim.options);
  const assign = claims<AssignInput>((input) => ({ kind: 'assign', input }));
  setHandler(assignUpdate, assign.handler, assign.options);

  // An amendment is applied by the main loop (it releases holds and reruns the review): answered at the new revision.
  const amend = update<AmendInput>(r, (a) => refuseAmendment(r, a.actor), (a) => {
    const target = r.revision + 1;
    r.pendingAmendment = { ...a, ...withUpdateId() };
    return () => r.revision >= target || isTerminal(r.status);
  });
  setHandler(amendUpdate, amend.handler, amend.options);

  // No patched() for rechecks: an Update is recorded in the history of the run it reaches, so a history from before
  // recheckUpdate existed holds none, and this handler never runs while it replays.
  const checkRecheck = (input: RecheckInput): void => {
    const refusal = refuseRecheck(r, input);
    if (refusal) throw refusal;
  };
  setHandler(
    recheckUpdate,
    async (input) => {
      const { updateId } = withUpdateId();
      checkRecheck(input);
      await durable();
      checkRecheck(input);
      await recheckStep(r, input, updateId);
      await condition(() => r.settled());
      return r.view();
    },
    { validator: checkRecheck },
  );

  const cancel = update<CancelInput>(r, () => refuseCancel(r), (c) => {
    r.pendingCancel = { ...c, ...withUpdateId() };
    return () => isTerminal(r.status);
  });
  setHandler(cancelUpdate, cancel.handler, cancel.options);
}
