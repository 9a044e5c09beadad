import { directoryContract } from './directory.contract.ts';

directoryContract('openldap');
