import type { DirectoryUser } from '../directory/directory.ts';
import { token } from './flow.ts';

/**
 * A subject that does not exist, under `parentDn`: unknown logins bind against it so that they
 * cost the same round trip as a wrong password on a real account ("pretend it exists").
 */
export function decoyUser(parentDn: string): DirectoryUser {
  const name = `sspr-decoy-${token(6)}`;
  return {
    dn: `cn=${name},${parentDn}`,
    id: name,
    username: name,
    userPrincipalName: null,
    mail: null,
    displayName: null,
    givenName: null,
    surname: null,
    mobile: null,
    department: null,
    status: {
      isDisabled: false,
      isLocked: false,
      mustChangePassword: false,
      passwordLastSet: null,
      passwordExpiresAt: null,
      isPrivileged: false,
      isInScope: true,
    },
  };
}
