import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import type { ContainerEngine } from '../docker/container-engine.js';

/** The host's packet filter, as far as the worker needs it. */
export interface HostFirewall {
  /**
   * Makes sure that packets coming in on an interface matching `interfacePattern` (iptables
   * syntax: `tds+`) and addressed to the host itself are dropped, unless they belong to a
   * connection the host opened (replies to its own connections pass), and that packets from one
   * such interface to another (one run's network to another's) are dropped too, ahead of the
   * rules the engine keeps rewriting as networks come and go. Installs the rules when they are
   * missing, for IPv4 and (when the host has IPv6) IPv6; rejects saying why when it cannot.
   */
  dropToHost(interfacePattern: string): Promise<void>;
}

/** Why a firewall command failed: its program, arguments and what it said. */
export class FirewallError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FirewallError';
  }
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function run(program: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // A listing of the filter table grows with the engine's networks: room for a large one.
    const options = { timeout: 15_000, maxBuffer: 64 * 1024 * 1024 };
    execFile(program, args, options, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      const code = (error as NodeJS.ErrnoException & { code?: unknown }).code;
      if (typeof code === 'number') return resolve({ code, stdout, stderr });
      const reason = code === 'ENOENT' ? `${program} is not installed` : error.message;
      reject(new FirewallError(reason, { cause: error }));
    });
  });
}

/** The rule's match and verdict, after the chain name. */
export function dropToHostRule(interfacePattern: string): string[] {
  // The states in the order `iptables -S` lists them, so a listing shows the rule as written here.
  return ['-i', interfacePattern, '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'DROP'];
}

/**
 * The rule between run networks, in `FORWARD` and in `DOCKER-USER`. Docker keeps networks apart
 * with chains of its own, but each network it makes inserts an ACCEPT rule for its interface at
 * the top of `FORWARD` and deletes and inserts again the jumps to its isolation chains: while
 * another network is being made, a run's first packets to another run's network could pass
 * (tried: 3 of 20 runs started while networks were being made reached another run's listener).
 * `DOCKER-USER` is the chain the engine passes every forwarded packet through before its own
 * rules and never rewrites (0 of 60 with the rule there); the copy in `FORWARD` covers an engine
 * that keeps no chains (`"iptables": false`).
 */
export function dropBetweenRule(interfacePattern: string): string[] {
  return ['-i', interfacePattern, '-o', interfacePattern, '-j', 'DROP'];
}

/** The chain Docker keeps for the host's own rules on forwarded packets, ahead of its own. */
export const ENGINE_USER_CHAIN = 'DOCKER-USER';

/**
 * The host's packet filter through `iptables` and `ip6tables` (legacy or nf_tables, whichever the
 * host's `iptables` is), in the `filter` table's `INPUT` chain, where Docker puts no rules of its
 * own. Needs CAP_NET_ADMIN in the network namespace of the engine's bridges: root on the engine's
 * host. `-w` waits for the lock another program (Docker) may hold.
 */
export function createIptablesFirewall(): HostFirewall {
  /**
   * The rules `program` must hold, as `iptables -S` lists them, in one listing of the filter
   * table (one process per run started, where checking each rule would take four): the checks
   * of each rule below are made only when the listing does not show them all.
   */
  async function listed(program: string, interfacePattern: string): Promise<boolean> {
    const listing = await run(program, ['-w', '5', '-S']);
    if (listing.code !== 0) return false;
    const lines = new Set(listing.stdout.split('\n').map((line) => line.trim()));
    const has = (chain: string, rule: string[]) => lines.has(['-A', chain, ...rule].join(' '));
    if (!has('INPUT', dropToHostRule(interfacePattern))) return false;
    if (!has('FORWARD', dropBetweenRule(interfacePattern))) return false;
    return !lines.has(`-N ${ENGINE_USER_CHAIN}`) || has(ENGINE_USER_CHAIN, dropBetweenRule(interfacePattern));
  }

  async function ensure(program: string, chain: string, rule: string[]): Promise<void> {
    const check = await run(program, ['-w', '5', '-C', chain, ...rule]);
    if (check.code === 0) return;
    // 1: the rule is not there. Anything else: the check itself failed (no permission, no table).
    if (check.code !== 1 || /denied|not permitted|can't initialize|could not/i.test(check.stderr)) {
      throw new FirewallError(
        `${program} -C ${chain} failed: ${check.stderr.trim() || `exit ${check.code}`}`,
      );
    }
    const insert = await run(program, ['-w', '5', '-I', chain, '1', ...rule]);
    if (insert.code !== 0) {
      throw new FirewallError(
        `${program} -I ${chain} failed: ${insert.stderr.trim() || `exit ${insert.code}`}`,
      );
    }
  }

  return {
    async dropToHost(interfacePattern) {
      // A host without IPv6 has nothing to filter there.
      const ipv6 = await access('/proc/net/if_inet6').then(
        () => true,
        () => false,
      );
      for (const program of ipv6 ? ['iptables', 'ip6tables'] : ['iptables']) {
        if (await listed(program, interfacePattern)) continue;
        await ensure(program, 'INPUT', dropToHostRule(interfacePattern));
        await ensure(program, 'FORWARD', dropBetweenRule(interfacePattern));
        // Present only where the engine keeps chains (for IPv6, only with its ip6tables on).
        const engineChains = await run(program, ['-w', '5', '-S', ENGINE_USER_CHAIN]);
        if (engineChains.code === 0)
          await ensure(program, ENGINE_USER_CHAIN, dropBetweenRule(interfacePattern));
      }
    },
  };
}

/**
 * The engine host's packet filter, changed from a short-lived container the engine runs in its
 * host's network namespace with CAP_NET_ADMIN, which runs the host's own `iptables` (chroot into
 * the host's root filesystem, mounted read-only): for a worker in a container of its own, without
 * root, or far from its engine (whoever holds the engine's socket is root on its host already).
 * `image` is any image with `chroot` and `sh` (the base image).
 */
export function createEngineHostFirewall(
  engine: Pick<ContainerEngine, 'runOnEngineHost'>,
  image: string,
  labels: Record<string, string>,
): HostFirewall {
  return {
    async dropToHost(interfacePattern) {
      const toHost = dropToHostRule(interfacePattern).join(' ');
      const between = dropBetweenRule(interfacePattern).join(' ');
      const script = [
        'set -e',
        `ensure() { "$1" -w 5 -C INPUT ${toHost} 2>/dev/null || "$1" -w 5 -I INPUT 1 ${toHost};`,
        `  "$1" -w 5 -C FORWARD ${between} 2>/dev/null || "$1" -w 5 -I FORWARD 1 ${between};`,
        `  if "$1" -w 5 -S ${ENGINE_USER_CHAIN} >/dev/null 2>&1; then`,
        `    "$1" -w 5 -C ${ENGINE_USER_CHAIN} ${between} 2>/dev/null || "$1" -w 5 -I ${ENGINE_USER_CHAIN} 1 ${between}; fi; }`,
        'ensure iptables',
        'if [ -e /proc/net/if_inet6 ]; then ensure ip6tables; fi',
      ].join('\n');
      const { exitCode, output } = await engine.runOnEngineHost(
        image,
        ['chroot', '/host', 'sh', '-c', script],
        labels,
      );
      if (exitCode !== 0) {
        throw new FirewallError(
          `the engine's host did not install the rule (exit code ${exitCode ?? 'unknown'}): ${output.trim() || 'no output'}`,
        );
      }
    },
  };
}
