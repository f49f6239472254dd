import { pathToFileURL } from 'node:url';
import type { Config } from '../config/config.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { createAuthRepository } from '../modules/auth/auth.repository.js';
import { promoteAdmin } from '../modules/auth/auth.service.js';
import type { Database } from '../platform/db/database.js';
import { openDatabase } from '../platform/db/database.js';
import { AppError } from '../platform/errors/app-error.js';

export interface Output {
  log(message: string): void;
  error(message: string): void;
}

/**
 * `npm run admin:promote -- <email>`: makes an existing user an administrator.
 * Returns the exit code: 0 done (or already admin), 1 unknown user, 2 bad usage or configuration.
 */
export async function runPromoteAdmin(
  args: string[],
  {
    loadConfigFn = () => loadConfig(),
    openDatabaseFn = openDatabase,
    out = console,
  }: { loadConfigFn?: () => Config; openDatabaseFn?: (config: Config) => Promise<Database>; out?: Output } = {},
): Promise<number> {
  const [email, ...rest] = args;
  if (!email || rest.length > 0) {
    out.error('Usage: npm run admin:promote -- <email>');
    return 2;
  }
  let config: Config;
  try {
    config = loadConfigFn();
  } catch (error) {
    if (error instanceof ConfigError) {
      out.error(error.message);
      return 2;
    }
    throw error;
  }
  const database = await openDatabaseFn(config);
  try {
    const { user, changed } = await promoteAdmin(createAuthRepository(database.db), email, new Date());
    out.log(changed ? `Promoted ${user.email} (${user.id}) to admin.` : `${user.email} (${user.id}) is already an admin; nothing changed.`);
    return 0;
  } catch (error) {
    if (error instanceof AppError && error.code === 'user_not_found') {
      out.error(`${error.message} Nothing changed.`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runPromoteAdmin(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`admin:promote failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
