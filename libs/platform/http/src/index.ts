export * from './auth.guard';
export * from './bootstrap';
export * from './lifecycle';
export * from './platform-http.module';
export * from './principal';
export * from './problem';
export * from './tokens';
export * from './start';
