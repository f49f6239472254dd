import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ErrorBox } from '../components/status';
import { signIn } from '../lib/api';
import { useSession } from '../lib/session';

function AuthForm({ kind }: { kind: 'login' | 'register' }) {
  const { user } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? (kind === 'register' ? '/import' : '/dashboard');
  if (user) return <Navigate to={from} replace />;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(kind, { email: String(form.get('email')), password: String(form.get('password')) });
      navigate(from, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const title = kind === 'login' ? 'Sign in' : 'Create your account';
  return (
    <main className="auth" id="main">
      <h1>TradeSense</h1>
      <form onSubmit={submit} className="card" aria-labelledby="auth-title">
        <h2 id="auth-title">{title}</h2>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete={kind === 'login' ? 'current-password' : 'new-password'} minLength={kind === 'register' ? 10 : 1} required />
        </label>
        {kind === 'register' && <small className="muted">At least 10 characters; not a common password.</small>}
        {error !== null && <ErrorBox error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Please wait…' : title}
        </button>
        {kind === 'login' ? (
          <p>
            New here? <Link to="/signup">Create an account</Link>
          </p>
        ) : (
          <p>
            Have an account? <Link to="/signin">Sign in</Link>
          </p>
        )}
      </form>
    </main>
  );
}

export const SignIn = () => <AuthForm kind="login" />;
export const SignUp = () => <AuthForm kind="register" />;
