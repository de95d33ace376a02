/**
 * The model view's script (bundled to dist/model-view.js): validates every message from the host against the
 * protocol (src/protocol/model-view.ts), renders it with model-view-render.ts, and sends `audit` or `extract` when
 * their buttons are pressed. It keeps nothing: the host replays the last message whenever the view is rebuilt.
 */
import { receive } from '../src/protocol/decoders';
import { HostToModelView, ModelViewToHost, hostToModelViewDecoder } from '../src/protocol/model-view';
import { ACTIONS, renderDescription, renderLoading, renderUnreadable } from './model-view-render';

const vscode = acquireVsCodeApi();
const send = (m: ModelViewToHost): void => vscode.postMessage(m);
const app = document.getElementById('app') as HTMLElement;

function show(m: HostToModelView): void {
  if (m.type === 'loading') app.innerHTML = renderLoading(m.modelPath);
  else if (m.type === 'unreadable') app.innerHTML = renderUnreadable(m.modelPath, m.error);
  else {
    app.innerHTML = renderDescription(m.description, m.trusted);
    for (const a of ACTIONS) document.getElementById(a.id)?.addEventListener('click', () => send({ type: a.id }));
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const m = receive(hostToModelViewDecoder, event.data, 'extension', (line) => console.warn(line));
  if (m) show(m);
});

send({ type: 'ready' });
