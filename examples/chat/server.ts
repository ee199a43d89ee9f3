/**
 * `npm run demo`: starts the chat on http://127.0.0.1:$PORT (default 3000;
 * `PORT=0` picks a free port, `HOST=0.0.0.0` opens it to other machines).
 * Open it in two tabs and post in one; it appears in the other.
 */
import { startDemoServer } from './app.js'
import { EXAMPLE_PORTS, runExample } from './process.js'

await runExample({
  title: 'Reality chat demo',
  command: 'npm run demo',
  defaultPort: EXAMPLE_PORTS.demo,
  hint: 'Open it in two tabs, post in one and watch it appear in the other.',
  start: ({ port, host }) => startDemoServer({ port, host, log: (line) => console.log(line) }),
})
