import { describe, expect, it } from 'vitest';
import { connectionLost } from '../../services/db/pg-database.js';

describe('a lost database connection', () => {
  it('is told from a statement that failed', () => {
    expect(
      connectionLost({ code: '57P01', message: 'terminating connection due to administrator command' }),
    ).toBe(true);
    expect(connectionLost({ code: '08006', message: 'connection failure' })).toBe(true);
    expect(connectionLost(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(connectionLost(new Error('Client has encountered a connection error and is not queryable'))).toBe(
      true,
    );
    expect(connectionLost({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe(
      false,
    );
    expect(connectionLost({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe(
      false,
    );
    expect(connectionLost(undefined)).toBe(false);
  });
});
