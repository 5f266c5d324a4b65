/** Who a request is, once authenticated, and how the audit log names them. */
import type { Scope } from './scopes.js';

export type Principal =
  /** AUTH=none, or an open route. */
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'token';
      /** A bearer header, or a UI login (whose state-changing requests need the CSRF token). */
      readonly via: 'bearer' | 'session';
      readonly tokenId: number;
      readonly name: string;
      readonly scopes: readonly Scope[];
      /** For a UI login: the token its forms must carry. */
      readonly csrf?: string;
    };

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });

/** The audit log's `actor`: token:<id>:<name>, ui:<id>:<name> or anonymous. */
export function actorOf(p: Principal): string {
  if (p.kind === 'anonymous') return 'anonymous';
  return `${p.via === 'bearer' ? 'token' : 'ui'}:${p.tokenId}:${p.name}`;
}
