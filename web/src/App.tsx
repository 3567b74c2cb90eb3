/**
 * The dashboard: a header (mesh, connection, counts, Mermaid export), the graph and the panel of the
 * selected direction side by side, and below them conflicts, open findings and the timeline. Every
 * region has a fixed size and scrolls inside, so nothing moves while events stream in.
 */
import { useState } from 'preact/hooks';
import type { ControllerSnapshot } from '../../src/controller/view.ts';
import { api, setToken } from './api.ts';
import { Conflicts } from './Conflicts.tsx';
import { Graph } from './Graph.tsx';
import { LinkPanel } from './LinkPanel.tsx';
import { dirKey, useMesh } from './store.ts';
import { Findings, Timeline } from './Timeline.tsx';
import { Confirm, Panel, type Pending } from './widgets.tsx';

function Summary({ snap }: { snap: ControllerSnapshot }) {
  const s = snap.status?.summary;
  const drift = snap.drift ? Object.entries(snap.drift.changes).filter(([, n]) => n > 0) : [];
  return (
    <div class="summary">
      <p>Select an arrow to see its direction.</p>
      <dl class="facts one">
        <div>
          <dt>nodes reachable</dt>
          <dd>{s ? `${s.nodes_reachable} / ${s.nodes}` : '–'}</dd>
        </div>
        <div>
          <dt>directions</dt>
          <dd>
            {s
              ? Object.entries(s.by_state)
                  .map(([k, n]) => `${n} ${k}`)
                  .join(', ')
              : '–'}
          </dd>
        </div>
        <div>
          <dt>drift</dt>
          <dd>{drift.length ? drift.map(([k, n]) => `${n} ${k}`).join(', ') : 'as declared'}</dd>
        </div>
        <div>
          <dt>last poll</dt>
          <dd>{snap.status ? `#${snap.status.poll} at ${snap.status.at.slice(11, 19)}` : '–'}</dd>
        </div>
      </dl>
    </div>
  );
}

function Mermaid() {
  const [text, setText] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const show = async () => {
    setOpen(true);
    setText(
      (await api<{ mermaid: string }>('/api/v1/mermaid').catch((e) => ({ mermaid: String(e) }))).mermaid,
    );
  };
  return (
    <>
      <button type="button" onClick={show}>
        Mermaid
      </button>
      {open && (
        <div class="overlay">
          <div class="dialog wide" role="dialog" aria-modal="true" aria-label="Mermaid export">
            <h2>Mermaid export</h2>
            <textarea readOnly class="mermaid" value={text ?? 'loading…'} />
            <div class="buttons">
              <button type="button" onClick={() => void navigator.clipboard?.writeText(text ?? '')}>
                Copy
              </button>
              <button type="button" onClick={() => setOpen(false)}>
                Close
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}

function TokenForm() {
  const [value, setValue] = useState('');
  return (
    <form
      class="token"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(value);
        location.reload();
      }}
    >
      <input
        type="password"
        placeholder="API token"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit">Connect</button>
    </form>
  );
}

export function App() {
  const { snap, connection, history, findingLog } = useMesh();
  const [selected, setSelected] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const direction = snap?.directions.find((d) => dirKey(d) === selected) ?? null;
  const counts = snap?.status?.summary.findings;
  return (
    <div class="app">
      <header>
        <h1>couchmesh{snap ? ` · ${snap.mesh}` : ''}</h1>
        <span class={`conn conn-${connection}`} data-connection={connection}>
          {connection}
        </span>
        {snap?.dry_run && <span class="badge health-warn">dry run</span>}
        {counts && (
          <span class="counts">
            {snap.findings.length} open finding(s) · {counts.critical} critical at last poll
          </span>
        )}
        <span class="spacer" />
        {connection === 'unauthorized' ? <TokenForm /> : <Mermaid />}
      </header>
      <main class="graph-area">
        {snap ? <Graph snap={snap} selected={selected} onSelect={setSelected} /> : null}
      </main>
      <Panel title={direction ? 'Direction' : 'Mesh'} class="side">
        {snap && direction ? (
          <LinkPanel
            snap={snap}
            direction={direction}
            history={history.get(dirKey(direction)) ?? []}
            ask={setPending}
          />
        ) : snap ? (
          <Summary snap={snap} />
        ) : (
          <p class="muted">waiting for the controller…</p>
        )}
      </Panel>
      <Panel title="Conflicts" class="b1">
        {snap && <Conflicts snap={snap} ask={setPending} />}
      </Panel>
      <Panel title="Open findings" class="b2">
        {snap && <Findings snap={snap} />}
      </Panel>
      <Panel title="Findings and actions" class="b3">
        {snap && <Timeline snap={snap} log={findingLog} />}
      </Panel>
      {pending && <Confirm pending={pending} close={() => setPending(null)} />}
    </div>
  );
}
