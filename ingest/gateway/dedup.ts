// Remembers, per (agency, agent, boot), the highest batch seq already made durable, so a batch re-sent after a
// reconnect (its ack was lost) is acknowledged again without being produced twice. Bounded: the least recently
// used boots are forgotten first.

export class BatchWatermarks {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxBoots: number) {}

  isDuplicate(agency: string, agent: string, boot: string, seq: number): boolean {
    const high = this.seen.get(key(agency, agent, boot));
    return high !== undefined && seq <= high;
  }

  record(agency: string, agent: string, boot: string, seq: number): void {
    const k = key(agency, agent, boot);
    const high = Math.max(seq, this.seen.get(k) ?? -1);
    this.seen.delete(k);
    this.seen.set(k, high);
    if (this.seen.size > this.maxBoots) this.seen.delete(this.seen.keys().next().value!);
  }

  get size(): number {
    return this.seen.size;
  }
}

const key = (agency: string, agent: string, boot: string) => `${agency}\0${agent}\0${boot}`;
