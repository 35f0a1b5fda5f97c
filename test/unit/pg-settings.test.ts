import { describe, expect, it } from 'vitest';
import { DEFAULT_PG_SETTINGS, poolConfig, tlsFailure } from '../../services/db/pg-database.js';
import { loadConfig } from '../../src/config.js';

describe('the pg pool', () => {
  it('is given the size, the connect timeout, each session limit and TCP keepalive', () => {
    expect(poolConfig('postgres://db/tds', loadConfig({ TDS_DB_POOL_SIZE: '4' }).database)).toEqual({
      connectionString: 'postgres://db/tds',
      max: 4,
      connectionTimeoutMillis: 10_000,
      statement_timeout: 60_000,
      lock_timeout: 10_000,
      idle_in_transaction_session_timeout: 60_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
  });

  it('has the defaults of the settings when made without them', () => {
    const { migrate: _migrate, migrationLockTimeoutMs: _lock, ...settings } = loadConfig({}).database;
    expect(DEFAULT_PG_SETTINGS).toEqual(settings);
  });

  it('says what to check when the server certificate does not verify, and nothing for other errors', () => {
    const advice = tlsFailure(
      Object.assign(new Error('self-signed certificate in certificate chain'), {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
    );
    expect(advice).toContain('sslrootcert');
    expect(advice).toContain('truststore.pki.rds.amazonaws.com');
    expect(tlsFailure(new Error('The server does not support SSL connections'))).toContain(
      'does not accept TLS',
    );
    expect(
      tlsFailure(Object.assign(new Error('password authentication failed'), { code: '28P01' })),
    ).toBeUndefined();
  });
});
