// mtcp-ts: a user-level TCP/IP stack for Node.js with mTCP's API. The package root exports the mtcp_* calls, their
// constants and helpers (see docs/api.md).

export * from './api/index.js';
export { loadMtcpConfig, parseMtcpConfig, type MtcpConfig } from './config/mtcp-config.js';
export { ConfigError } from './config/errors.js';
