/** The workflows this worker runs. */
export { orderReviewWorkflow } from './order-review';
export { eventRelayWorkflow } from './relay';
