/**
 * Entry of dist/worker.js, the child process the extension host forks (child_process.fork, IPC) for each run.
 * Speaks src/protocol/worker-messages.ts; see serve.ts.
 */
import { availableProviders } from '../core/runtime/session';
import { serveWorker } from './serve';

function main(): void {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write('bise worker: start me with child_process.fork (I need an IPC channel); for the command line use `bise extract`\n');
    process.exit(2);
  }
  serveWorker({
    pid: process.pid,
    providers: availableProviders,
    send: (message, done) => {
      send(message, undefined, undefined, (error: Error | null) => done(error));
    },
    onMessage: (handler) => process.on('message', handler),
    onDisconnect: (handler) => process.on('disconnect', handler),
    exit: (code) => {
      if (process.connected) process.disconnect();
      // onnxruntime's thread pools may keep the loop alive: end the process explicitly.
      process.exit(code);
    },
    warn: (message) => process.stderr.write(`${message}\n`),
  });
}

main();
