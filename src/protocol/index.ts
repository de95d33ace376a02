// Re-exports only: the one message protocol of the extension (host ↔ worker, host ↔ webview).
export * from './decoders';
export * from './jobs';
export * from './job-events';
export * from './worker-messages';
export * from './webview-messages';
