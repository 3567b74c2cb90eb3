/** Small pieces shared by the panels: a sparkline, a state strip and the confirmation dialog. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export function Sparkline({ values, label }: { values: Array<number | null>; label: string }) {
  const nums = values.map((v) => v ?? 0);
  const max = Math.max(1, ...nums);
  const step = 200 / Math.max(1, nums.length - 1);
  const points = nums.map((v, i) => `${(i * step).toFixed(1)},${(30 - (v / max) * 28).toFixed(1)}`).join(' ');
  const last = values.at(-1);
  return (
    <div class="spark">
      <span class="spark-label">{label}</span>
      <svg viewBox="0 0 200 32" preserveAspectRatio="none" aria-label={label}>
        {nums.length > 1 && <polyline points={points} />}
      </svg>
      <span class="spark-value">{last === null || last === undefined ? '–' : last}</span>
    </div>
  );
}

/** One cell per poll, coloured by the state the direction was in. */
export function StateStrip({ states }: { states: string[] }) {
  return (
    <div class="strip" role="img" aria-label="state timeline">
      {states.map((s, i) => (
        <span key={i} class={`cell state-${s}`} title={s} />
      ))}
    </div>
  );
}

export interface Pending {
  title: string;
  body: string;
  confirm: string;
  run(): Promise<string>;
}

/** Asks before a command runs; shows its outcome or its error in the same box. */
export function Confirm({ pending, close }: { pending: Pending; close(): void }) {
  const [state, setState] = useState<{ busy: boolean; result?: string; error?: string }>({ busy: false });
  const go = async () => {
    setState({ busy: true });
    try {
      setState({ busy: false, result: await pending.run() });
    } catch (e) {
      setState({ busy: false, error: e instanceof ApiError ? `${e.error}: ${e.message}` : String(e) });
    }
  };
  const done = state.result !== undefined || state.error !== undefined;
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title">
        <h2 id="dialog-title">{pending.title}</h2>
        <p>{pending.body}</p>
        {state.result && <p class="result ok">{state.result}</p>}
        {state.error && <p class="result bad">{state.error}</p>}
        <div class="buttons">
          <button type="button" onClick={close}>
            {done ? 'Close' : 'Cancel'}
          </button>
          {!done && (
            <button type="button" class="danger" disabled={state.busy} onClick={go}>
              {state.busy ? 'Working…' : pending.confirm}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

export function Panel({
  title,
  children,
  class: cls,
}: {
  title: string;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`panel ${cls ?? ''}`}>
      <h2>{title}</h2>
      <div class="panel-body">{children}</div>
    </section>
  );
}
