/**
 * Test helpers shared by unit and integration tests. Never imported by product code (the
 * dependency rules enforce it) and not part of the build.
 *
 * @module test-support
 */

/**
 * Path-traversal payloads from the security reference (D2), drawn from MLflow's advisory
 * history, plus combinations: every path-taking input is tested against all of them.
 */
export const TRAVERSAL_PAYLOADS: readonly string[] = [
  '../',
  '..\\',
  '%2e%2e%2f',
  '%252e%252e%252f',
  '..%c0%af',
  '/etc/passwd',
  'C:\\x',
  '\\\\host\\share',
  'file:///etc/passwd',
  'x#/../..',
  'x;/../..',
  'x?/../..',
  '%00',
  '\0',
  'x.',
  'x ',
  '.',
  '..',
  ' ',
  '../../../../etc/passwd',
  '..\\..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e%252f%252e%252e%252fetc%252fpasswd',
  '..%c0%af..%c0%afetc%c0%afpasswd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e/%2e%2e/etc/passwd',
  '....//....//etc/passwd',
  '..././..././etc/passwd',
  '/',
  '//etc/passwd',
  'C:',
  'C:/x',
  'c:\\windows\\system32',
  '\\\\?\\C:\\x',
  '\\\\host\\share\\..\\..\\x',
  'file://localhost/etc/passwd',
  'FILE:///etc/passwd',
  'http:///#/../../etc/passwd',
  'mlflow-artifacts:/../../etc/passwd',
  'x#../../etc/passwd',
  'x;..%2f..%2fetc/passwd',
  'x?../../etc/passwd',
  'x%00/../../etc/passwd',
  '../canary.txt',
  '../../canary.txt',
  'blobs/../../canary.txt',
  '~/.ssh/id_rsa',
  '$HOME/.ssh/id_rsa',
  '\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc\uff0fpasswd',
  '\u2025/\u2025/etc/passwd',
  '%2e%2e/',
  '..\\..\\..\\windows\\win.ini',
  'x\u0000y',
  'canary.txt',
  '%2e%2e%2fcanary.txt',
  '..%2fcanary.txt',
  '....//....//canary.txt',
  '.%2e/.%2e/canary.txt',
  '%c0%ae%c0%ae/canary.txt',
  '0123456789abcdef0123456789abcdef/../../canary.txt',
  'a'.repeat(300),
  '🙂',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE artifacts; --',
]

/** Resolves with what `p` rejected with, failing the test if it resolved. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected the promise to reject')
}
