import { createHash } from 'node:crypto';
import {
  ENGINE_USER_CHAIN,
  dropBetweenRule,
  dropToHostRule,
  type HostFirewall,
} from '../../services/firewall/host-firewall.js';
import { RunFailure, errorMessage } from '../errors.js';

/**
 * Whether a bridge run may open connections to the host its engine runs on (TDS_RUN_HOST_ACCESS):
 * `blocked`, the worker installs the host's firewall rule itself before each bridge run;
 * `blocked-by-operator`, the operator keeps that rule on the engine's host; `allowed`, no rule.
 */
export const RUN_HOST_ACCESS = ['blocked', 'blocked-by-operator', 'allowed'] as const;
export type RunHostAccess = (typeof RUN_HOST_ACCESS)[number];

/** Host interfaces of bridge runs kept from the host: one firewall rule (`-i tds+`) covers them all. */
export const BLOCKED_INTERFACE_PREFIX = 'tds';
/** Host interfaces of bridge runs allowed to reach the host: no `tds+` rule, ours or an operator's, matches them. */
export const ALLOWED_INTERFACE_PREFIX = 'tdh';

/**
 * The host's interface of a run's network: a prefix and 12 hex digits of a hash of the run id (an
 * interface name has at most 15 characters). Not the id's own first digits: those are its time,
 * the same for runs queued in one millisecond (a fan-out's items), and two networks cannot share a
 * bridge name.
 */
export function runBridgeInterface(runId: string, hostAccess: RunHostAccess = 'blocked'): string {
  const prefix = hostAccess === 'allowed' ? ALLOWED_INTERFACE_PREFIX : BLOCKED_INTERFACE_PREFIX;
  return `${prefix}${createHash('sha256').update(runId).digest('hex').slice(0, 12)}`;
}

/** Whether `DOCKER_HOST` names an engine on this host (its socket, or a loopback address). */
export function isLocalEngine(dockerHost: string | undefined): boolean {
  if (dockerHost === undefined || dockerHost === '') return true;
  if (dockerHost.startsWith('unix://') || dockerHost.startsWith('npipe://') || dockerHost.startsWith('/')) {
    return true;
  }
  try {
    const host = new URL(dockerHost).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

export interface HostGuard {
  /** The host interface a run's network gets. */
  bridgeInterface(runId: string): string;
  /**
   * Resolves once bridge runs cannot open connections to the host (or may, as configured); throws
   * a RunFailure saying why and what to do when that cannot be made sure of.
   */
  ensure(): Promise<void>;
}

/** What an operator can do when the rule cannot be installed. */
const BLOCKED_INTERFACES = `${BLOCKED_INTERFACE_PREFIX}+`;
const REMEDY = `add the rules on the Docker engine's host yourself (\`iptables -I INPUT ${dropToHostRule(BLOCKED_INTERFACES).join(' ')}\`, \`iptables -I ${ENGINE_USER_CHAIN} ${dropBetweenRule(BLOCKED_INTERFACES).join(' ')}\` and the same in FORWARD, and with ip6tables) and set TDS_RUN_HOST_ACCESS=blocked-by-operator, or let bridge runs reach the host with TDS_RUN_HOST_ACCESS=allowed, or give the job network "none" (see docs/security.md, Networks)`;

export function createHostGuard(deps: {
  hostAccess: RunHostAccess;
  /** The packet filter of the host whose interfaces the runs' networks are (the engine's). */
  firewall: HostFirewall;
}): HostGuard {
  /** Bridge runs starting at once share one check. */
  let checking: Promise<void> | undefined;

  async function install(): Promise<void> {
    try {
      await deps.firewall.dropToHost(BLOCKED_INTERFACES);
    } catch (error) {
      throw new RunFailure(
        'infra_error',
        `bridge runs are kept from the services of their engine's host, and the firewall rule that does it could not be installed (${errorMessage(error)}): ${REMEDY}`,
        { cause: error },
      );
    }
  }

  return {
    bridgeInterface: (runId) => runBridgeInterface(runId, deps.hostAccess),
    async ensure() {
      if (deps.hostAccess !== 'blocked') return;
      // Checked for every bridge run, not once: a firewall reloaded since would have dropped the rule.
      checking ??= install().finally(() => {
        checking = undefined;
      });
      await checking;
    },
  };
}
