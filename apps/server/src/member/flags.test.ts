import { describe, expect, it } from 'vitest';
import { MemberConfigurationError } from './configuration-error.ts';
import { parseMemberFlags } from './flags.ts';
import { clusterIdOf, memberIdOf } from './identity.ts';

const problem = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parseMemberFlags(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(MemberConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('member flags', () => {
  it('defaults to a single-member cluster named default on 2379/2380', () => {
    const config = parseMemberFlags([], {});
    expect(config.name).toBe('default');
    expect(config.dataDirectory).toBe('default.concord');
    expect(config.listenClientUrls.map((url) => url.href)).toEqual(['http://127.0.0.1:2379/']);
    expect(config.listenPeerUrls.map((url) => url.href)).toEqual(['http://127.0.0.1:2380/']);
    expect([...config.initialCluster]).toEqual([['default', ['http://127.0.0.1:2380']]]);
    expect(config.heartbeatMs).toBe(100);
    expect(config.electionMs).toBe(1000);
  });

  it('reads every flag, and CONCORD_* variables when the flag is absent', () => {
    const config = parseMemberFlags(
      [
        '--name',
        'a',
        '--initial-cluster',
        'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380',
        '--initial-advertise-peer-urls',
        'http://10.0.0.1:2380',
      ],
      {
        CONCORD_DATA_DIR: '/var/lib/concord',
        CONCORD_HEARTBEAT_INTERVAL: '50',
        CONCORD_ELECTION_TIMEOUT: '500',
      },
    );
    expect(config.dataDirectory).toBe('/var/lib/concord');
    expect(config.heartbeatMs).toBe(50);
    expect(config.electionMs).toBe(500);
    expect([...config.initialCluster.keys()]).toEqual(['a', 'b']);
  });

  it('explains a wrong flag or an inconsistent cluster in one line', () => {
    expect(problem(['--bogus'])).toContain("unknown option '--bogus'");
    expect(problem(['--name', 'x', '--initial-cluster', 'y=http://127.0.0.1:2380'])).toBe(
      '--initial-cluster has no member named "x"; add x=http://127.0.0.1:2380/ to it or fix --name',
    );
    expect(problem(['--initial-cluster', 'default=http://127.0.0.1:9999'])).toContain(
      'but --initial-advertise-peer-urls is http://127.0.0.1:2380',
    );
    expect(problem(['--initial-cluster-state', 'old'])).toBe(
      '--initial-cluster-state must be "new" or "existing", not "old"',
    );
    expect(problem(['--heartbeat-interval', 'fast'])).toBe(
      '--heartbeat-interval must be a positive whole number, not "fast"',
    );
    expect(problem(['--election-timeout', '200'])).toContain('must be at least 5 times --heartbeat-interval');
    expect(problem(['--listen-client-urls', 'localhost'])).toContain('is not a URL');
    expect(problem(['--listen-client-urls', 'http://127.0.0.1'])).toContain('needs a port');
  });
});

describe('member and cluster ids', () => {
  it('are computed as etcd computes them', () => {
    // etcd's well-known ids for its defaults (name default, http://localhost:2380, token etcd-cluster).
    const member = memberIdOf(['http://localhost:2380'], 'etcd-cluster');
    expect(member).toBe('8e9e05c52164694d');
    expect(clusterIdOf([member])).toBe('cdf818194e3a8c32');
  });
});
