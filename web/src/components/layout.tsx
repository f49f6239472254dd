import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { signOut } from '../lib/api';
import { followLiveChanges } from '../lib/live-events';
import { useSession } from '../lib/session';
import { Loading } from './status';

const NAV = [
  ['/dashboard', 'Dashboard'],
  ['/trades', 'Trades'],
  ['/journal', 'Journal'],
  ['/playbooks', 'Playbooks'],
  ['/import', 'Import'],
  ['/settings', 'Settings'],
] as const;

/** The signed-in frame: navigation, sign-out, and the screen. Signed-out visitors go to /signin. */
export function Layout() {
  const { user } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signedIn = Boolean(user);
  // Live: what another tab, device or script changes shows here without a reload.
  useEffect(() => (signedIn ? followLiveChanges(() => void queryClient.invalidateQueries()) : undefined), [signedIn, queryClient]);
  if (user === undefined) return <Loading label="Restoring your session…" />;
  if (user === null) return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">TradeSense</span>
        <nav aria-label="Main">
          {NAV.map(([to, label]) => (
            <NavLink key={to} to={{ pathname: to, search: to === '/dashboard' || to === '/trades' ? location.search : '' }}>
              {label}
            </NavLink>
          ))}
        </nav>
        <span className="muted user">{user.email}</span>
        <button
          type="button"
          onClick={async () => {
            await signOut();
            queryClient.clear();
            navigate('/signin');
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
