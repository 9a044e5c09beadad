import { existsSync } from 'node:fs';

/**
 * Read `.env` (or the file named by ENV_FILE) into process.env when it exists. Variables
 * already set in the environment win, so a deployment can override any key.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): void {
  const file = env.ENV_FILE ?? '.env';
  if (existsSync(file)) process.loadEnvFile(file);
}
