/**
 * The product's custom search attributes: one list, registered on a cluster by scripts/cluster (and by operators
 * with `temporal operator search-attribute create`), and the typed keys workflow code upserts. Importable from
 * workflow code: it depends on @temporalio/common only.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The order's review status (the same words as the API's `status`). */
export const OrderStatus = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
/** The customer the order is for. */
export const OrderCustomerId = defineSearchAttributeKey('OrderCustomerId', SearchAttributeType.KEYWORD);
/** The departments whose decision the order awaits now. */
export const OrderAwaitingDepartments = defineSearchAttributeKey('OrderAwaitingDepartments', SearchAttributeType.KEYWORD_LIST);

/** Every custom search attribute of the product, for registration on a cluster. */
export const ORDER_SEARCH_ATTRIBUTES = [OrderStatus, OrderCustomerId, OrderAwaitingDepartments].map(({ name, type }) => ({ name, type }));

/** The CLI's spelling of a type (`temporal operator search-attribute create --type`). */
export const CLI_SEARCH_ATTRIBUTE_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};
