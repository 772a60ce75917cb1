/**
 * The pure review rules. Deliberately excludes ./policy (it pulls in zod): the workflow imports this module.
 */
export * from './types';
export * from './money';
export * from './duration';
export * from './dates';
export * from './calendar';
export * from './order';
export * from './risk';
export * from './checks/info-check';
export * from './checks/credit';
export * from './checks/capacity';
export * from './checks/materials';
export * from './checks/special-requirements';
export * from './checks/final-approval';
export * from './checks/exposure';
export * from './checks/reorder-point';
