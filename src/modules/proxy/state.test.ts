import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ProxyState } from './index.js';

describe('ProxyState (one keep-alive Agent per worker)', () => {
  it('hands out one agent per worker and reuse setting', () => {
    const st = new ProxyState(true);
    assert.equal(st.agentFor('w', true, false), st.agentFor('w', true, false));
    assert.notEqual(st.agentFor('w', true, false), st.agentFor('w', false, false));
    assert.notEqual(st.agentFor('w', true, false), st.agentFor('v', true, false));
    st.dispose({ graceful: false });
  });

  it('closes pooled connections on a graceful dispose, and one in use once it comes free', async () => {
    let answer: (() => void) | undefined;
    const srv = createServer((_req, res) => {
      answer = () => res.end('x');
    });
    srv.keepAliveTimeout = 60_000; // the server would keep it: only the agent can close it
    const closed = new Promise<void>((resolve) => {
      srv.on('connection', (c: Socket) => c.on('close', () => resolve()));
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as AddressInfo).port;
    const st = new ProxyState(true);
    const agent = st.agentFor('w', true, true);
    const resP = new Promise<IncomingMessage>((resolve) => {
      get({ host: '127.0.0.1', port, agent }, resolve);
    });
    await once(srv, 'request');
    st.dispose(); // the request is still in flight: it must finish
    answer?.();
    const res = await resP;
    let body = '';
    res.on('data', (d: Buffer) => (body += d.toString()));
    await once(res, 'end');
    assert.equal(body, 'x', 'the request in flight finished');
    await closed; // and its connection closed once it came free
    assert.equal(Object.keys(agent.freeSockets).length, 0);
    srv.close();
    await once(srv, 'close');
  });
});
