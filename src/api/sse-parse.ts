/**
 * An incremental parser of the server-sent-events wire format (WHATWG HTML §9.2.6): lines of
 * `field: value`, an empty line ends an event, `:` starts a comment. The dashboard reads the stream
 * with fetch (EventSource cannot send the Authorization header), and the tests read it the same way.
 */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #retry: number | undefined;
  /** comment lines seen (heartbeats) */
  comments = 0;

  /** Feeds decoded text; returns the events it completed. */
  feed(text: string): SseMessage[] {
    this.#buffer += text;
    const out: SseMessage[] = [];
    const lines = this.#buffer.split(/\r\n|\r|\n/);
    this.#buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        // an event without data is dropped, and its type with it (the standard's dispatch step)
        if (this.#data.length) out.push(this.#dispatch());
        else this.#event = '';
        continue;
      }
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') this.#event = value;
      else if (field === 'data') this.#data.push(value);
      else if (field === 'id') this.#id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.#retry = Number(value);
    }
    return out;
  }

  #dispatch(): SseMessage {
    const m: SseMessage = { event: this.#event || 'message', data: this.#data.join('\n') };
    if (this.#id !== undefined) m.id = this.#id;
    if (this.#retry !== undefined) m.retry = this.#retry;
    this.#event = '';
    this.#data = [];
    this.#retry = undefined;
    return m;
  }
}
