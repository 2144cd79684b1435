// The echo server of src/api/examples/echo.ts (written only against the mTCP API), after `npm run build`:
//   node examples/echo-server.mjs -f config/udp-server.conf [-p 7]        (^C stops it and prints its counts)
process.argv.splice(2, 0, 'server');
await import('../dist/src/api/examples/echo-main.js');
