// The echo client of src/api/examples/echo.ts, after `npm run build`:
//   node examples/echo-client.mjs -f config/udp-client.conf -s 10.0.0.2 [-p 7] [-n 1000] [-c 100] [-b 1000]
// Exits 0 only when every connection got exactly its bytes back.
process.argv.splice(2, 0, 'client');
await import('../dist/src/api/examples/echo-main.js');
