/** Builds the outbound URL policy from the process config (media fetching; exchanges start from it). */
import type { Config } from '../config/config.js';
import type { UrlPolicy } from './url-policy.js';

export function urlPolicyFrom(config: Config): UrlPolicy {
  return {
    allowedHostnames: config.URL_ALLOWED_HOSTNAMES,
    privateHostsAllowed: config.URL_ALLOWED_PRIVATE_HOSTS,
    // Development mode lets people try it on files served from their own machine.
    allowLoopback: config.URL_ALLOW_LOOPBACK === '' ? !config.PRODUCTION : config.URL_ALLOW_LOOPBACK,
  };
}
