// The declarations live once, in harmony/index.d.ts (checked against the library's exports).
export * from '../../../../../index';
