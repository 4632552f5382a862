// In-memory sessions of the standalone host: a random 256-bit id (the cookie), an idle and an absolute timeout,
// and a per-session CSRF token (synchronizer token: sent in the X-CIRT-CSRF header on every state change and
// compared in constant time). The clock is injected so the timeouts are testable.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../common/index';

export interface Session {
  id: string;
  principal: Principal;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionOptions {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  maxSessions: number;
  now?: () => number;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * 3_600_000, maxSessions: 10_000 };

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;

  constructor(private readonly options: SessionOptions = DEFAULT_SESSION_OPTIONS) {
    this.now = options.now ?? Date.now;
  }

  create(principal: Principal): Session {
    this.sweep();
    if (this.sessions.size >= this.options.maxSessions) {
      // Full: drop the least recently used session rather than refuse every new login.
      let oldest: Session | undefined;
      for (const s of this.sessions.values()) if (!oldest || s.lastSeenAt < oldest.lastSeenAt) oldest = s;
      if (oldest) this.sessions.delete(oldest.id);
    }
    const t = this.now();
    const session: Session = { id: randomBytes(32).toString('base64url'), principal, csrfToken: randomBytes(32).toString('base64url'), createdAt: t, lastSeenAt: t };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for this id (touching it), or undefined when unknown or expired (then it is removed). */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.lastSeenAt > this.options.idleTimeoutMs || t - s.createdAt > this.options.absoluteTimeoutMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeenAt = t;
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.sessions) {
      if (t - s.lastSeenAt > this.options.idleTimeoutMs || t - s.createdAt > this.options.absoluteTimeoutMs) this.sessions.delete(id);
    }
  }
}

export function csrfMatches(session: Session, token: string | undefined): boolean {
  if (!token) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Failed-login limiter: at most `maxFailures` failures per key (client address, and username) within `windowMs`;
 * then refused until the window has passed. A success clears the username's count.
 */
export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: { maxFailures: number; windowMs: number; now?: () => number } = { maxFailures: 5, windowMs: 5 * 60_000 }) {
    this.now = options.now ?? Date.now;
  }

  /** Seconds to wait, or 0 when the keys may try. */
  retryAfter(keys: string[]): number {
    const t = this.now();
    let wait = 0;
    for (const key of keys) {
      const list = (this.failures.get(key) ?? []).filter((x) => t - x < this.options.windowMs);
      if (list.length === 0) this.failures.delete(key);
      else this.failures.set(key, list);
      if (list.length >= this.options.maxFailures) wait = Math.max(wait, Math.ceil(((list[0] as number) + this.options.windowMs - t) / 1000));
    }
    return wait;
  }

  fail(keys: string[]): void {
    const t = this.now();
    for (const key of keys) {
      const list = this.failures.get(key) ?? [];
      list.push(t);
      if (list.length > this.options.maxFailures * 4) list.shift();
      this.failures.set(key, list);
    }
    if (this.failures.size > 100_000) this.failures.clear(); // bounded memory under a spray
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
