import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';
import { projectRoot } from '../../lib/paths.js';
import { parsePasswordList } from './auth.domain.js';

// The package's `Algorithm` is an ambient const enum, which isolatedModules cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Costs what a real verification costs, so an unknown email answers as slowly as a wrong password. */
  verifyDummy(password: string): Promise<void>;
}

export function createPasswordHasher(): PasswordHasher {
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, ARGON2_OPTIONS),
    async verify(passwordHash, password) {
      try {
        return await verify(passwordHash, password);
      } catch {
        // A stored hash this library cannot parse (an account created outside the API) matches nothing.
        return false;
      }
    },
    async verifyDummy(password) {
      dummyHash ??= hash(randomBytes(32).toString('base64url'), ARGON2_OPTIONS);
      await verify(await dummyHash, password);
    },
  };
}

let commonPasswords: ReadonlySet<string> | undefined;

/** The bundled list (src/modules/auth/common-passwords.txt), read once on first use; data, so it is read from the source tree also when running compiled code. */
export function loadCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= parsePasswordList(readFileSync(path.join(projectRoot, 'src', 'modules', 'auth', 'common-passwords.txt'), 'utf8'));
  return commonPasswords;
}
