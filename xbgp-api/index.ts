// Public surface of xbgp-api/: the host-side knowledge of the xBGP plugin API (insertion points,
// constants, helper table, structure layouts, plugin build flags). Pure data and types; nothing
// here imports from daemon/ or vm/.
export * from './constants.js';
export * from './points.js';
export * from './layouts.js';
export * from './helpers.js';
export * from './build.js';
