import type { ConnectionOptions } from 'node:tls';
import { Client, type Control } from 'ldapts';
import type { DirectoryConfig } from '../config.ts';
import { toDirectoryError } from './ldap-errors.ts';

export type LdapConnectionSettings = Pick<
  DirectoryConfig,
  'url' | 'startTls' | 'ca' | 'tlsServerName' | 'connectTimeoutMs' | 'timeoutMs'
>;

/** TLS is always verified against the configured CA, hostname included; never rejectUnauthorized: false. */
export function tlsOptionsFor(settings: LdapConnectionSettings): ConnectionOptions {
  return {
    ca: [settings.ca],
    minVersion: 'TLSv1.2',
    ...(settings.tlsServerName ? { servername: settings.tlsServerName } : {}),
  };
}

/**
 * Connect (LDAPS, or ldap:// + StartTLS) and simple-bind. On any failure the socket is closed
 * before the error is rethrown as an AppError, so a failed bind never leaks a connection.
 */
export async function openBoundClient(
  settings: LdapConnectionSettings,
  dn: string,
  password: string,
  controls?: Control[],
): Promise<Client> {
  const tls = tlsOptionsFor(settings);
  // ldapts opens TLS at connect time whenever tlsOptions is set, even for ldap://, so StartTLS
  // clients are created without it and get the options in startTLS().
  const client = new Client({
    url: settings.url,
    connectTimeout: settings.connectTimeoutMs,
    timeout: settings.timeoutMs,
    ...(settings.startTls ? {} : { tlsOptions: tls }),
  });
  try {
    if (settings.startTls) await client.startTLS(tls);
    await client.bind(dn, password, controls);
    return client;
  } catch (error) {
    await closeQuietly(client);
    throw error;
  }
}

export async function closeQuietly(client: Client): Promise<void> {
  try {
    await client.unbind();
  } catch {
    // The connection may already be gone; there is nothing left to release.
  }
}

/** Bind as someone for one job, then always unbind. Errors come back decoded. */
export async function withBoundClient<T>(
  settings: LdapConnectionSettings,
  dn: string,
  password: string,
  job: (client: Client) => Promise<T>,
  bindControls?: Control[],
): Promise<T> {
  let client: Client;
  try {
    client = await openBoundClient(settings, dn, password, bindControls);
  } catch (error) {
    throw toDirectoryError(error);
  }
  try {
    return await job(client);
  } finally {
    await closeQuietly(client);
  }
}
