export * from './users.js';
export * from './ledger.js';
