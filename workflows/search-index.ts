/**
 * Keeps the order's search attributes (workflows/search-attributes.ts) in step with its review, so the Temporal Web
 * UI and `temporal workflow list --query` find orders by status, customer and awaiting department. Upserted when the
 * workflow comes to rest with values that changed since the last upsert: one command in a task that completes anyway.
 */
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import { STEP_DEPARTMENT } from '../domain/types';
import type { OrderReviewInput } from './messages';
import type { Review } from './review';
import { OrderAwaitingDepartments, OrderCustomerId, OrderStatus } from './search-attributes';

export function searchIndex(input: OrderReviewInput, r: Review): { update(): void } {
  let last = '';
  return {
    update() {
      // Only orders whose API found the attributes registered (an upsert of an unknown one would fail every task);
      // orders started before this existed carry no flag and record no patch marker.
      if (!input.searchAttributes || !patched('search-attributes')) return;
      const departments = [...new Set(r.view().awaiting.map((s) => STEP_DEPARTMENT[s]).filter((d) => d !== 'system'))].sort();
      const values = { status: r.status, customer: r.order.customerId, departments };
      const key = JSON.stringify(values);
      if (key === last) return;
      last = key;
      upsertSearchAttributes([
        { key: OrderStatus, value: values.status },
        { key: OrderCustomerId, value: values.customer },
        // An empty list would be stored as an empty value: leave the attribute out instead.
        { key: OrderAwaitingDepartments, value: values.departments.length > 0 ? values.departments : null },
      ]);
    },
  };
}
