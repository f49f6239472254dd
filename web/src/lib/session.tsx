import { createContext, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { User } from './api';
import { onSessionChange, refreshSession } from './api';

interface SessionState {
  /** undefined while the refresh cookie is being tried after a reload. */
  user: User | null | undefined;
}

const SessionContext = createContext<SessionState>({ user: undefined });

// A reload lost the in-memory access token: the httpOnly cookie brings the session back. Asked
// when this script runs, not after React's first render, so the refresh overlaps React's start
// and the screen's chunk download, and the screen's data requests can start sooner.
const restored = refreshSession();

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    const off = onSessionChange(setUser);
    void restored.then(setUser, () => setUser(null));
    return off;
  }, []);
  return <SessionContext.Provider value={{ user }}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);
