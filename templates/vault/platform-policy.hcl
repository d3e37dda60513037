# Policy "platform-policy": what the platform may do in Vault, through the AppRole role
# platform-role. btp-aws writes this text as it is and restores it when Vault's copy differs.
#
# The platform's secrets engines are kv-v2 at ethereum/, fabric/ and ipfs/. A kv-v2 engine does
# not serve a secret at <mount>/<name>: its API puts the values at <mount>/data/<name>, the
# versions and the key listing at <mount>/metadata/<name>, and version soft-delete, undelete and
# destroy at <mount>/delete/, <mount>/undelete/ and <mount>/destroy/. A policy written for kv v1
# paths (path "ethereum/my-key") matches none of them and every request would be denied.
#
# So create/read/update/delete/list is granted on the data/ and metadata/ paths (list matters on
# metadata/: that is where keys are listed), and update on the version endpoints, which take
# POSTs. <mount>/config (the engine's own settings, such as max_versions) is left out: the
# platform has no reason to change it. A single `path "ethereum/*"` would also cover the kv-v2
# paths, because a trailing * is a prefix match, but it would grant config too.

path "ethereum/data/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "ethereum/metadata/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "ethereum/delete/*" {
  capabilities = ["update"]
}
path "ethereum/undelete/*" {
  capabilities = ["update"]
}
path "ethereum/destroy/*" {
  capabilities = ["update"]
}

path "fabric/data/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "fabric/metadata/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "fabric/delete/*" {
  capabilities = ["update"]
}
path "fabric/undelete/*" {
  capabilities = ["update"]
}
path "fabric/destroy/*" {
  capabilities = ["update"]
}

path "ipfs/data/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "ipfs/metadata/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "ipfs/delete/*" {
  capabilities = ["update"]
}
path "ipfs/undelete/*" {
  capabilities = ["update"]
}
path "ipfs/destroy/*" {
  capabilities = ["update"]
}
