// Re-exports only: the public surface of the data module.
export * from './errors';
export * from './random';
export * from './dataset';
export * from './gray-digits';
export * from './mnist-digits';
export * from './idx';
export * from './palette';
export * from './class-members';
export * from './colour-assignment';
export * from './colour-painting';
export * from './stratified-split';
export * from './digit-splits';
export * from './biased-mnist';
export * from './multi-color-mnist';
export * from './group-weights';
