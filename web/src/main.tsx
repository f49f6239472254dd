import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Navigate, RouterProvider, createBrowserRouter } from 'react-router';
import { Layout } from './components/layout';
import { ApiError } from './lib/api';
import { SessionProvider } from './lib/session';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

// Every screen is its own chunk: the first screen loads only what it shows.
const router = createBrowserRouter([
  { path: '/signin', lazy: async () => ({ Component: (await import('./pages/auth')).SignIn }) },
  { path: '/signup', lazy: async () => ({ Component: (await import('./pages/auth')).SignUp }) },
  {
    path: '/',
    Component: Layout,
    children: [
      { index: true, element: <Navigate to="/dashboard" replace /> },
      { path: 'dashboard', lazy: async () => ({ Component: (await import('./pages/dashboard')).Dashboard }) },
      { path: 'trades', lazy: async () => ({ Component: (await import('./pages/trades')).Trades }) },
      { path: 'trades/:id', lazy: async () => ({ Component: (await import('./pages/trade-detail')).TradeDetail }) },
      { path: 'import', lazy: async () => ({ Component: (await import('./pages/import')).Import }) },
      { path: 'journal', lazy: async () => ({ Component: (await import('./pages/journal')).Journal }) },
      { path: 'playbooks', lazy: async () => ({ Component: (await import('./pages/playbooks')).PlaybooksAndTags }) },
      { path: 'settings', lazy: async () => ({ Component: (await import('./pages/settings')).Settings }) },
      { path: '*', element: <p>Page not found.</p> },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
