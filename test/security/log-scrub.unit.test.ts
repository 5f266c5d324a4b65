/** The logger's last line of defence: secret values and shapes never reach a written line. */
import { describe, expect, it } from 'vitest';
import { addLoggedSecret, scrubSecrets } from '../../src/observability/logger.js';

describe('scrubSecrets', () => {
  it('censors secret shapes wherever they hide in a line', () => {
    const environ = 'PATH=/usr/bin\u0000KAFKA_SASL_PASSWORD=pw-123456\u0000SECRETS_KEY=abc/def+==\u0000HOME=/root';
    const line = JSON.stringify({ msg: 'x', value: environ, auth: 'Bearer hma_AbCdEfGhIjKlMnOpQrStUvWxYz012345', url: 'postgres://user:dbpass99@db:5432/x' });
    const out = scrubSecrets(line);
    for (const secret of ['pw-123456', 'abc/def+==', 'hma_AbCdEfGhIjKlMnOpQrStUvWxYz012345', 'dbpass99']) expect(out).not.toContain(secret);
    expect(out).toContain('PATH=/usr/bin');
    expect(out).toContain('KAFKA_SASL_PASSWORD=[redacted]');
    expect(out).toContain('postgres://user:[redacted]@db:5432/x');
    expect(() => JSON.parse(out)).not.toThrow();
  });

  it('censors registered values, raw or JSON-escaped, and ignores values too short to be secrets', () => {
    addLoggedSecret('s3cr3t"value\\x');
    addLoggedSecret('abc');
    const out = scrubSecrets(JSON.stringify({ a: 's3cr3t"value\\x', b: 'abc def' }));
    expect(out).not.toContain('s3cr3t');
    expect(out).toContain('abc def');
  });
});
