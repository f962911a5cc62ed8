import { createParameterDecorator, type AuthChecker } from 'type-graphql';
import type { HubContext } from '../http/context.js';
import { forbidden } from '../shared/errors.js';
import type { AgencyPrincipal, Principal, Role } from './auth.service.js';

/**
 * `@Authorized('OFFICE', 'AGENCY')` on a field: one of the roles, answered FORBIDDEN (naming both
 * roles) otherwise. Every request already carries a valid token: the server refuses one without.
 */
export const authChecker: AuthChecker<HubContext, Role> = ({ context }, roles) => {
  const { role } = context.principal;
  if (roles.length > 0 && !roles.includes(role)) throw forbidden(`this needs a ${roles.join(' or ')} token; yours is ${role}`);
  return true;
};

/** The principal of the request, as a resolver parameter. */
export function CurrentPrincipal() {
  return createParameterDecorator<HubContext>(({ context }): Principal => context.principal);
}

/** An AGENCY principal, for fields `@Authorized('AGENCY')`: its agency is always there. */
export function CurrentAgency() {
  return createParameterDecorator<HubContext>(({ context }): AgencyPrincipal => {
    const { principal } = context;
    if (principal.role !== 'AGENCY') throw forbidden(`this needs an AGENCY token; yours is ${principal.role}`);
    return principal;
  });
}
