// Linux errno numbers: the table lives in the leaf module src/errno.ts so that net/ (below tcp/) can use it
// too; re-exported here unchanged for the modules that import it from tcp/.

export * from '../errno.js';
