export * from './users.js';
export * from './ledger.js';
export * from './imports.js';
