// Re-exports only: the public surface of the text-data module (not yet re-exported by ../index.ts).
export * from './text-dataset';
export * from './jsonl';
export * from './text-table';
export * from './text-columns';
export * from './table-labels';
export * from './text-splits';
export * from './text-tokenizer';
export * from './token-batch';
export * from './text-file';
export * from './token-npy-folder';
