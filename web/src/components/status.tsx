import { ApiError } from '../lib/api';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      {label}
    </p>
  );
}

/** An error as the user should see it: the message, and the request id to quote to support. */
export function ErrorBox({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  const requestId = error instanceof ApiError ? error.requestId : null;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div className="error" role="alert">
      <strong>{message}</strong>
      {(code || requestId) && (
        <small>
          {code && <> code <code>{code}</code></>}
          {requestId && <> · request id <code>{requestId}</code></>}
        </small>
      )}
    </div>
  );
}
