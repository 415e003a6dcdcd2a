export * from './common-passwords';
export * from './one-time-code';
export * from './password-policy';
export * from './password-text';
export * from './qr';
export * from './recovery-codes';
export * from './secret-box';
export * from './totp';
