/** CSP for JSON APIs: nothing may load, nothing may frame the response. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers every gateway response starts with. Upstream responses may replace them (hosted pages
 * bring their own CSP), the gateway's own error responses keep them.
 */
export function securityHeaders(publicUrl: string): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'content-security-policy': API_CSP,
    'cross-origin-opener-policy': 'same-origin',
  };
  // HSTS only means something over TLS; sending it on plain HTTP would be ignored at best.
  if (publicUrl.startsWith('https://')) headers['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
  return Object.freeze(headers);
}
