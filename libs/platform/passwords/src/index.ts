export * from './password-hash.formats';
export * from './password-hash.format';
export * from './password-hash.verifier';
export * from './password.hasher';
export * from './password-hash.config';
