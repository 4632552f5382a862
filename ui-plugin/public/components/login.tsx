// The standalone host's sign-in form (inside OSD, OSD's own login is used).
import React from 'react';
import type { Api, SessionInfo } from '../api';

export function Login({ api, onLogin }: { api: Api; onLogin(s: SessionInfo): void }) {
  const [username, setUsername] = React.useState('');
  const [password, setPassword] = React.useState('');
  const [error, setError] = React.useState<string | undefined>();
  const [busy, setBusy] = React.useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await api.login(username, password));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="cirt-login" onSubmit={(e) => void submit(e)} aria-label="Sign in">
      <h2>Sign in</h2>
      <label>
        User
        <input name="username" autoComplete="username" value={username} maxLength={64} required onChange={(e) => setUsername(e.target.value)} />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" value={password} maxLength={1024} required onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button type="submit" className="cirt-primary" disabled={busy}>
        Sign in
      </button>
      {error && (
        <p className="cirt-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
