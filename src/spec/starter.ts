/** The commented mesh.yaml `couchmesh init` writes (it validates once COUCHMESH_PASSWORD is set). */
export const STARTER_MESH = `# yaml-language-server: $schema=./mesh.schema.json
# couchmesh mesh file. Check it: couchmesh validate   Draw it: couchmesh graph
# Editor completion: couchmesh schema > mesh.schema.json (the first line points editors at it).
#
# A link joins two nodes and replicates both ways (couchmesh writes one _replicator document per
# direction and database). Credentials are referenced, never written here.

mesh: my-mesh            # lowercase name; part of every document id couchmesh manages

nodes:
  n1:
    url: http://127.0.0.1:5984
    auth: { username: admin, password_env: COUCHMESH_PASSWORD }   # or password_file: secrets/n1.pw
    region: site-a
  n2:
    url: http://127.0.0.1:5985
    auth: { username: admin, password_env: COUCHMESH_PASSWORD }
    region: site-a
  n3:
    url: http://127.0.0.1:5986
    auth: { username: admin, password_env: COUCHMESH_PASSWORD }
    region: site-b
    role: edge           # edge (default) | relay | hub
    reachable: true      # false when behind NAT: peers cannot connect to it, it drives its links
    # tls: { ca_file: certs/ca.pem, cert_file: certs/n3.pem, key_file: certs/n3.key }

databases:
  - sensors
  # - { name: events, security: { members: { roles: [readers] } } }   # _security set and kept by apply

defaults:
  class: lan             # class of links that name none: lan | wan | cellular | lorawan | your own

# link_classes:          # override a built-in class or add your own (unset values: base class)
#   cellular: { checkpoint_interval: 10000 }          # recommended for cellular: 5000–15000 ms
#   satellite: { extends: wan, checkpoint_interval: 60000, worker_batch_size: 50 }

links:
  - [n1, n2]
  - { between: [n2, n3], class: wan }
  - { between: [n3, n1], class: cellular, overrides: { checkpoint_interval: 15000 } }
  # or let a generator write them (an explicit link for the same pair wins):
  # - { generate: full-mesh, nodes: all, class: lan }
  # - { generate: ring, nodes: [n1, n2, n3] }
  # - { generate: star, hub: n1, nodes: all, class: cellular }

# thresholds:            # health rules (defaults shown)
#   lag_warning_changes: 1000
#   lag_critical_changes: 10000
#   stall_after_ms: 300000
`;
