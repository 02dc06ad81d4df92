/** IPAM: address parsing, IPAM config validation, subnet selection and address allocation. */
export * from './ip.js';
export * from './sha256.js';
export * from './validate.js';
export * from './pools.js';
export * from './address-pool.js';
export * from './network-ipam.js';
