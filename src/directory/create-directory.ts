import type { DirectoryConfig } from '../config.ts';
import { ActiveDirectory } from './active-directory.ts';
import type { Directory } from './directory.ts';
import { OpenLdapDirectory } from './open-ldap.ts';

export function createDirectory(config: DirectoryConfig): ActiveDirectory | OpenLdapDirectory {
  return config.kind === 'ad' ? new ActiveDirectory(config) : new OpenLdapDirectory(config);
}

export type { Directory };
