import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from '../../helpers/app.js';

export const PASSWORD = 'Violet-Harbor-Lantern-42';

export const newEmail = (tag = 'auth') => `${tag}-${randomUUID()}@example.test`;

export interface Registered {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  headers: { authorization: string };
}

/** Registers through the API (the thing under test here) and returns the credentials. */
export async function register(t: TestApp, options: { email?: string; password?: string; remoteAddress?: string; userAgent?: string } = {}): Promise<Registered> {
  const email = options.email ?? newEmail();
  const password = options.password ?? PASSWORD;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password },
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    headers: options.userAgent ? { 'user-agent': options.userAgent } : {},
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  return {
    id: body.user.id,
    email: body.user.email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    headers: { authorization: `Bearer ${body.accessToken}` },
  };
}

export async function login(t: TestApp, email: string, password: string, remoteAddress = '127.0.0.1') {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
}

export async function refresh(t: TestApp, refreshToken: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
