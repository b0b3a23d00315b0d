// Round trips/s of HTTP → dispatch() → Python worker → response, hello app, N in flight.
// Usage: node dist/benchmarks/http/dispatch-roundtrip.js [seconds=5] [inflight=64] [processes=1] [threads=64]

import { Agent, request } from 'node:http';
import { ProcessPool } from '../../src/wsgi/daemon/supervisor.js';
import { MemoryLog, fixtureApp, groupSpec, serveWithPool } from '../../src/wsgi/daemon/testing.js';

const [secs = 5, inflight = 64, processes = 1, threads = 64] = process.argv.slice(2).map(Number);
const log = new MemoryLog();
const pool = new ProcessPool(groupSpec({ processes, threads }), '', { log });
const srv = await serveWithPool(() => pool, log, fixtureApp('pool-app.wsgi'));
const agent = new Agent({ keepAlive: true, maxSockets: inflight });

function once(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ port: srv.port, host: '127.0.0.1', path: '/hello', agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(String(res.statusCode))),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

for (let i = 0; i < 200; i++) await once(); // warm up (and start the workers)
let done = 0;
const until = Date.now() + secs * 1000;
const t0 = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: inflight }, async () => {
    while (Date.now() < until) {
      await once();
      done++;
    }
  }),
);
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  `${done} requests in ${s.toFixed(2)} s = ${Math.round(done / s)} req/s (inflight ${inflight}, processes ${processes}, threads ${threads})`,
);
agent.destroy();
await srv.close();
await pool.stop(3000);
