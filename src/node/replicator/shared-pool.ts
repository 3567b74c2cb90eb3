/** Reference-counted shared resources (HTTP clients per endpoint), closed when the last user lets go. */
export class SharedPool<T extends { close(): Promise<void> }> {
  private readonly entries = new Map<string, { value: T; refs: number }>();

  acquire(key: string, make: () => T): T {
    let e = this.entries.get(key);
    if (!e) {
      e = { value: make(), refs: 0 };
      this.entries.set(key, e);
    }
    e.refs++;
    return e.value;
  }

  async release(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e || --e.refs > 0) return;
    this.entries.delete(key);
    await e.value.close();
  }

  get size(): number {
    return this.entries.size;
  }
}
